/**
 * A store that wraps a real one and fails on command, as a full disk, a locked database or
 * an I/O error would: appends throw and store nothing until `recover()`.
 */
import type { DomainEvent, UnstoredEvent } from '../../src/store/domainEvent.js';
import type { EventStore } from '../../src/store/eventStore.js';
import { MemoryEventStore } from '../../src/store/memoryEventStore.js';

export class FailingEventStore implements EventStore {
  failure: Error | undefined;
  failedAppends = 0;

  constructor(readonly inner: EventStore = new MemoryEventStore()) {}

  failWith(message: string): void {
    this.failure = Object.assign(new Error(message), { code: message.split(':')[0] });
  }

  recover(): void {
    this.failure = undefined;
  }

  append(events: readonly UnstoredEvent[]): readonly DomainEvent[] | Promise<readonly DomainEvent[]> {
    if (this.failure) {
      this.failedAppends += 1;
      throw this.failure;
    }
    return this.inner.append(events);
  }

  read(after?: number) {
    return this.inner.read(after);
  }

  lastPosition() {
    return this.inner.lastPosition();
  }

  lastTime() {
    return this.inner.lastTime();
  }

  close() {
    return this.inner.close();
  }
}
