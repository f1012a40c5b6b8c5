/**
 * The fold from domain events to the state of every elicitation. The runtime applies each
 * event it produces here, and recovery and `elicit report` apply the stored log here, so
 * replaying the log rebuilds exactly the state the runtime had.
 */
import type { AgentId, ElicitationId } from '../runtime/ids.js';
import type { DomainEvent, JsonSchema, RejectionReason, UnstoredEvent } from './domainEvent.js';

export type ElicitationState = 'pending' | 'answered' | 'rejected' | 'expired';

interface RecordFields {
  readonly id: ElicitationId;
  readonly from: AgentId;
  readonly to: AgentId;
  readonly message: string;
  readonly schema: JsonSchema;
  /** Epoch milliseconds. */
  readonly deadline: number;
  readonly metadata: Record<string, unknown>;
  /** Epoch milliseconds of the requested event. */
  readonly requestedAt: number;
  readonly requestedEventId: string;
  readonly correlationId: string;
  /** How many of the elicitation's events there are. */
  readonly version: number;
}

/** One elicitation as the log describes it; `state` decides which fields exist. */
export type ElicitationRecord = RecordFields &
  (
    | { readonly state: 'pending' }
    | { readonly state: 'answered'; readonly by: AgentId; readonly content: unknown; readonly settledAt: number }
    | { readonly state: 'rejected'; readonly by: AgentId; readonly reason: RejectionReason; readonly settledAt: number }
    | { readonly state: 'expired'; readonly settledAt: number }
  );

/** A log that breaks the event rules: a version out of order, or a second terminal event. */
export class CorruptLogError extends Error {
  override readonly name = 'CorruptLogError';
}

export class ElicitationProjection {
  // NOTE: settled records stay here for `get` and for refusing commands on them (about 580 B
  // each, measured by the benchmark) until the runtime calls `forget`, which it does only
  // under `limits.maxSettledInMemory`. Each record is frozen, because `get` hands it out and
  // the runtime decides on its fields. The objects inside it, `content` and `metadata`, are not.
  private readonly records = new Map<ElicitationId, ElicitationRecord>();
  private readonly pendingByResponder = new Map<AgentId, Set<ElicitationId>>();
  private readonly stateCounts: Record<ElicitationState, number> = { pending: 0, answered: 0, rejected: 0, expired: 0 };

  /** Applies one event; throws `CorruptLogError` when it cannot follow what came before. */
  apply(event: UnstoredEvent | DomainEvent): void {
    if (event.type === 'security.refused') return;

    if (event.type === 'elicitation.requested') {
      if (this.records.has(event.elicitationId)) throw corrupt(event, 'a second requested event');
      if (event.version !== 1) throw corrupt(event, `version ${event.version} on a requested event`);
      // Written out field by field rather than spread: this runs for every request, and a
      // literal of known shape is cheaper to build than a spread of `data`.
      const { from, to, message, schema, deadline } = event.data;
      const metadata = hasNoKeys(event.data.metadata) ? noMetadata : event.data.metadata;
      const record: ElicitationRecord = {
        id: event.elicitationId, from, to, message, schema, deadline, metadata,
        requestedAt: event.time, requestedEventId: event.eventId, correlationId: event.correlationId, version: 1, state: 'pending',
      };
      this.records.set(record.id, Object.freeze(record));
      this.addPending(record);
      this.stateCounts.pending += 1;
      return;
    }

    const record = this.records.get(event.elicitationId);
    if (record === undefined) throw corrupt(event, 'a terminal event without its requested event');
    if (record.state !== 'pending') throw corrupt(event, `a terminal event after the elicitation was ${record.state}`);
    if (event.version !== record.version + 1) throw corrupt(event, `version ${event.version} after version ${record.version}`);

    const { id, from, to, message, schema, deadline, metadata, requestedAt, requestedEventId, correlationId } = record;
    const version = event.version;
    const settledAt = event.time;
    const settled: ElicitationRecord =
      event.type === 'elicitation.answered'
        ? { id, from, to, message, schema, deadline, metadata, requestedAt, requestedEventId, correlationId, version, state: 'answered', settledAt, by: event.data.by, content: event.data.content }
        : event.type === 'elicitation.rejected'
          ? { id, from, to, message, schema, deadline, metadata, requestedAt, requestedEventId, correlationId, version, state: 'rejected', settledAt, by: event.data.by, reason: event.data.reason }
          : { id, from, to, message, schema, deadline, metadata, requestedAt, requestedEventId, correlationId, version, state: 'expired', settledAt };
    this.records.set(record.id, Object.freeze(settled));
    this.removePending(record);
    this.stateCounts.pending -= 1;
    this.stateCounts[settled.state] += 1;
  }

  /**
   * Undoes `event`, which must be the latest applied for its elicitation: the runtime calls
   * it, newest first, for events the store never took.
   */
  revert(event: UnstoredEvent | DomainEvent): void {
    if (event.type === 'security.refused') return;

    const record = this.records.get(event.elicitationId);
    if (record === undefined || record.version !== event.version) throw corrupt(event, `not the latest event of its elicitation, so it cannot be undone`);

    if (event.type === 'elicitation.requested') {
      this.records.delete(record.id);
      this.removePending(record);
      this.stateCounts.pending -= 1;
      return;
    }

    const { id, from, to, message, schema, deadline, metadata, requestedAt, requestedEventId, correlationId } = record;
    const pending: ElicitationRecord = { id, from, to, message, schema, deadline, metadata, requestedAt, requestedEventId, correlationId, version: record.version - 1, state: 'pending' };
    this.records.set(id, Object.freeze(pending));
    this.addPending(pending);
    this.stateCounts[record.state] -= 1;
    this.stateCounts.pending += 1;
  }

  get(id: ElicitationId): ElicitationRecord | undefined {
    return this.records.get(id);
  }

  /**
   * Drops a settled elicitation from memory. The log still contains it, and `counts` still
   * counts it. A pending one is never dropped, because its deadline and commands need it here.
   */
  forget(id: ElicitationId): void {
    const record = this.records.get(id);
    if (record === undefined) return;
    if (record.state === 'pending') throw new Error(`elicitation ${id} is pending, so it cannot be dropped from memory`);
    this.records.delete(id);
  }

  /** The ids of the elicitations pending for `responder`, oldest first. */
  pendingFor(responder: AgentId): ElicitationId[] {
    return [...(this.pendingByResponder.get(responder) ?? [])];
  }

  /** Every elicitation in memory, in the order of their requests. */
  all(): IterableIterator<ElicitationRecord> {
    return this.records.values();
  }

  counts(): Readonly<Record<ElicitationState, number>> {
    return { ...this.stateCounts };
  }

  get size(): number {
    return this.records.size;
  }

  private addPending(record: ElicitationRecord): void {
    let ids = this.pendingByResponder.get(record.to);
    if (ids === undefined) {
      ids = new Set();
      this.pendingByResponder.set(record.to, ids);
    }
    ids.add(record.id);
  }

  private removePending(record: ElicitationRecord): void {
    const ids = this.pendingByResponder.get(record.to);
    if (ids === undefined) return;
    ids.delete(record.id);
    if (ids.size === 0) this.pendingByResponder.delete(record.to);
  }
}

/** The metadata of every elicitation requested without any: one frozen object shared by all. */
const noMetadata: Record<string, unknown> = Object.freeze({});

function hasNoKeys(value: object): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

function corrupt(event: UnstoredEvent | DomainEvent, what: string): CorruptLogError {
  const where = 'position' in event ? ` at position ${event.position}` : '';
  return new CorruptLogError(`event ${event.eventId} (${event.type}) of elicitation ${String(event.elicitationId)}${where} is ${what}`);
}

/** Folds every event of `events` into a new projection. */
export async function replay(events: Iterable<DomainEvent> | AsyncIterable<DomainEvent>): Promise<ElicitationProjection> {
  const projection = new ElicitationProjection();
  for await (const event of events) projection.apply(event);
  return projection;
}

/** Folds the events of one elicitation, in version order, into its record. */
export function foldElicitation(events: readonly DomainEvent[]): ElicitationRecord | undefined {
  const projection = new ElicitationProjection();
  for (const event of events) projection.apply(event);
  const id = events[0]?.elicitationId;
  return id === undefined || id === null ? undefined : projection.get(id);
}
