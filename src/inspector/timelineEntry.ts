/**
 * One event of the log as the inspector shows it: who did what to which elicitation, and
 * when, in a sentence. The timeline sends these without the event's data; an elicitation's
 * history adds the data. The aggregate keeps only an `EventRecord` of each event and
 * describes it again when asked, so 100,000 histories hold no sentences.
 */
import type { DomainEvent, UnstoredEvent } from '../store/domainEvent.js';

export interface TimelineEntry {
  /** The event's log position; null for an event rebuilt from a runtime's snapshot. */
  readonly position: number | null;
  /** Epoch milliseconds on the runtime's clock. */
  readonly time: number;
  readonly type: DomainEvent['type'];
  readonly elicitationId: string | null;
  /** The scenario ref the elicitation was requested under, when it has one. */
  readonly ref: string | null;
  /** The agent that acted, or null when the clock did (an expiry). */
  readonly agent: string | null;
  /** The refusal code of a `security.refused` event. */
  readonly code: string | null;
  /** What happened, in words: `alice asked bob: "Deploy?"`. */
  readonly summary: string;
}

/** A timeline entry with the event's own data, for one elicitation's history. */
export interface HistoryEntry extends TimelineEntry {
  /** Null for an event rebuilt from a snapshot that did not keep its id. */
  readonly eventId: string | null;
  readonly data: unknown;
}

/** A stored event, or one rebuilt from a runtime's snapshot, which has no position. */
export type LoggedEvent = UnstoredEvent & { readonly position: number | null };

/** The part of an event that the inspector keeps: enough to describe it again. */
export type EventRecord = LoggedEvent extends infer Event
  ? Event extends LoggedEvent
    ? Pick<Event, 'type' | 'time' | 'data'> & { readonly position: number | null; readonly eventId: string | null }
    : never
  : never;

/** Keeps what `describeEvent` needs of `event`. */
export function recordOf(event: LoggedEvent): EventRecord {
  return { position: event.position, eventId: event.eventId, time: event.time, type: event.type, data: event.data } as EventRecord;
}

/**
 * Describes `record`, an event of the elicitation `elicitationId` (requested under `ref`);
 * a refusal names its elicitation itself, if any.
 */
export function describeEvent(record: EventRecord, elicitationId: string | null, ref: string | null): HistoryEntry {
  const base = { position: record.position, eventId: record.eventId, time: record.time, type: record.type, elicitationId, ref, code: null, data: record.data };

  switch (record.type) {
    case 'elicitation.requested':
      return { ...base, agent: record.data.from, summary: `${record.data.from} asked ${record.data.to}: "${shorten(record.data.message, 60)}"` };
    case 'elicitation.answered':
      return { ...base, agent: record.data.by, summary: `${record.data.by} answered` };
    case 'elicitation.rejected':
      return { ...base, agent: record.data.by, summary: `${record.data.by} ${rejectionVerbs[record.data.reason]}` };
    case 'elicitation.expired':
      return { ...base, agent: null, summary: `expired at its deadline ${new Date(record.data.deadline).toISOString()}` };
    case 'security.refused': {
      const refusal = record.data;
      const what = refusal.count === undefined ? `${refusal.command} by ${refusal.agent}` : `${refusal.count} × ${refusal.command} by ${refusal.agent} (summary)`;
      return { ...base, elicitationId: refusal.elicitationId ?? null, agent: refusal.agent, code: refusal.code, summary: `${what} refused: ${refusal.code}` };
    }
  }
}

/** Leaves out the data, which only a history shows. */
export function toTimelineEntry(entry: HistoryEntry): TimelineEntry {
  const { position, time, type, elicitationId, ref, agent, code, summary } = entry;
  return { position, time, type, elicitationId, ref, agent, code, summary };
}

const rejectionVerbs = { declined: 'declined', cancelled: 'cancelled', withdrawn: 'withdrew' } as const;

function shorten(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}
