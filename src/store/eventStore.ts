/**
 * The contract every event store keeps: an append-only log whose positions are
 * gap-free and increasing, written a batch at a time.
 */
import type { DomainEvent, UnstoredEvent } from './domainEvent.js';

export interface EventStore {
  /**
   * Appends `events` in one transaction, in the given order, and returns them with their
   * positions. Either all of them are stored or none is, and a failed append leaves no gap.
   * A synchronous store returns the array itself, so the hot path awaits no promise.
   */
  append(events: readonly UnstoredEvent[]): readonly DomainEvent[] | Promise<readonly DomainEvent[]>;

  /** Reads the stored events from position `after + 1` on, in position order. */
  read(after?: number): Iterable<DomainEvent> | AsyncIterable<DomainEvent>;

  /**
   * Reads the events of one elicitation, in version order, or none for an id the log does not
   * contain. Optional, because the runtime needs it only to keep fewer settled elicitations in
   * memory than the log contains (`limits.maxSettledInMemory`).
   */
  readElicitation?(elicitationId: string): readonly DomainEvent[];

  /** The position of the last stored event, or 0 when the log is empty. */
  lastPosition(): number | Promise<number>;

  /** The `time` of the last stored event, or `undefined` when the log is empty. */
  lastTime(): number | undefined | Promise<number | undefined>;

  /** Closes the store. Appending afterwards fails. */
  close(): void | Promise<void>;
}

/** Collects every stored event into an array, in position order. */
export async function readAll(store: EventStore, after = 0): Promise<DomainEvent[]> {
  const events: DomainEvent[] = [];
  for await (const event of store.read(after)) events.push(event);
  return events;
}
