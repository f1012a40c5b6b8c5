/**
 * An event store that keeps the log in an array: for tests, benchmarks and hosts that
 * need no durability across processes.
 */
import { asEventPosition } from '../runtime/ids.js';
import { ElicitationError } from '../runtime/errors.js';
import type { DomainEvent, UnstoredEvent } from './domainEvent.js';
import type { EventStore } from './eventStore.js';

export class MemoryEventStore implements EventStore {
  private readonly events: DomainEvent[] = [];
  private closed = false;

  append(events: readonly UnstoredEvent[]): readonly DomainEvent[] {
    if (this.closed) {
      throw new ElicitationError('STORE_UNAVAILABLE', 'the memory event store is closed; create a new runtime to append again');
    }

    const stored = events.map((event, index) => ({ ...event, position: asEventPosition(this.events.length + index + 1) }) as DomainEvent);
    this.events.push(...stored);
    return stored;
  }

  *read(after = 0): Iterable<DomainEvent> {
    // A snapshot of the length, so events appended while a reader iterates are not seen.
    const end = this.events.length;
    for (let index = Math.max(0, after); index < end; index++) yield this.events[index]!;
  }

  lastPosition(): number {
    return this.events.length;
  }

  lastTime(): number | undefined {
    return this.events.at(-1)?.time;
  }

  close(): void {
    this.closed = true;
  }
}
