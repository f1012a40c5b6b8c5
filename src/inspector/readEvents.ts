/** Reads a bounded slice of an event store's log, without giving other code a turn midway. */
import type { DomainEvent } from '../store/domainEvent.js';
import type { EventStore } from '../store/eventStore.js';

/**
 * Reads at most `limit` events after position `after`, in position order. A synchronous
 * store (SQLite, memory) is read in one go: the runtime may share its SQLite connection,
 * and better-sqlite3 refuses a write on a connection whose read is still open.
 */
export async function readEvents(store: EventStore, after: number, limit = Number.POSITIVE_INFINITY): Promise<DomainEvent[]> {
  const events: DomainEvent[] = [];
  if (limit <= 0) return events;

  const source = store.read(after);
  if (Symbol.iterator in source) {
    for (const event of source) {
      events.push(event);
      if (events.length >= limit) break;
    }
    return events;
  }
  for await (const event of source) {
    events.push(event);
    if (events.length >= limit) break;
  }
  return events;
}
