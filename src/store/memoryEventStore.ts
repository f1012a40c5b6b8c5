/**
 * An event store that keeps the log in an array: for tests, benchmarks and hosts that
 * need no durability across processes.
 */
import { ElicitationError } from '../runtime/errors.js';
import { storedAt, type DomainEvent, type UnstoredEvent } from './domainEvent.js';
import type { EventStore } from './eventStore.js';

export class MemoryEventStore implements EventStore {
  private readonly events: DomainEvent[] = [];
  /** Event ids and elicitation versions taken, so this store refuses what SQLite's constraints refuse. */
  private readonly eventIds = new Set<string>();
  private readonly versions = new Set<string>();
  private closed = false;

  append(events: readonly UnstoredEvent[]): readonly DomainEvent[] {
    if (this.closed) {
      throw new ElicitationError('STORE_UNAVAILABLE', 'the memory event store is closed; create a new runtime to append again');
    }

    // Check the whole batch before storing any of it, so a refused batch stores nothing.
    const batchIds = new Set<string>();
    const batchVersions = new Set<string>();
    for (const event of events) {
      const version = event.elicitationId === null ? undefined : `${event.elicitationId}#${event.version}`;
      if (this.eventIds.has(event.eventId) || batchIds.has(event.eventId)) throw duplicate(`event id ${event.eventId}`);
      if (version !== undefined && (this.versions.has(version) || batchVersions.has(version))) throw duplicate(`version ${event.version} of elicitation ${event.elicitationId}`);
      batchIds.add(event.eventId);
      if (version !== undefined) batchVersions.add(version);
    }

    const stored = events.map((event, index) => storedAt(event, this.events.length + index + 1));
    for (const event of stored) this.events.push(event);
    for (const id of batchIds) this.eventIds.add(id);
    for (const version of batchVersions) this.versions.add(version);
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

function duplicate(what: string): Error {
  return new Error(`the memory event store already holds ${what}; the batch was not stored`);
}
