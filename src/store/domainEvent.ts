/**
 * The domain events that the event log holds. Replaying them in position order rebuilds
 * every elicitation; see `projection.ts` for the fold.
 */
import { asEventPosition, type AgentId, type ElicitationId, type EventPosition } from '../runtime/ids.js';
import type { ErrorCode } from '../runtime/errors.js';

export type JsonSchema = Record<string, unknown>;

export type RejectionReason = 'declined' | 'cancelled' | 'withdrawn';

export type ResponderCommandName = 'accept' | 'decline' | 'cancel';
export type CommandName = 'request' | ResponderCommandName | 'withdraw';

export interface RequestedData {
  readonly from: AgentId;
  readonly to: AgentId;
  readonly message: string;
  readonly schema: JsonSchema;
  /** Absolute deadline, epoch milliseconds on the runtime's clock. */
  readonly deadline: number;
  readonly metadata: Record<string, unknown>;
}

export interface AnsweredData {
  readonly by: AgentId;
  readonly content: unknown;
}

export interface RejectedData {
  readonly by: AgentId;
  readonly reason: RejectionReason;
}

export interface ExpiredData {
  readonly deadline: number;
}

export interface RefusedData {
  readonly agent: AgentId;
  /** The refused command. On a summary, the command of the last refusal it counts. */
  readonly command: CommandName;
  readonly code: Extract<ErrorCode, 'UNAUTHORIZED' | 'RATE_LIMITED'>;
  readonly elicitationId?: ElicitationId;
  /**
   * Present on a summary only: how many refusals of this agent and code it stands for,
   * written once per interval after the agent passed its audit rate, with the times of the
   * first and last of them (epoch ms).
   */
  readonly count?: number;
  readonly firstAt?: number;
  readonly lastAt?: number;
}

interface EventFields<Type extends string, Data> {
  readonly eventId: string;
  readonly type: Type;
  /** Epoch milliseconds on the runtime's clock. */
  readonly time: number;
  readonly causationId: string;
  readonly correlationId: string;
  readonly data: Data;
}

interface ElicitationEventFields<Type extends string, Data> extends EventFields<Type, Data> {
  readonly elicitationId: ElicitationId;
  /** Counts the elicitation's own events from 1. */
  readonly version: number;
}

export type RequestedEvent = ElicitationEventFields<'elicitation.requested', RequestedData>;
export type AnsweredEvent = ElicitationEventFields<'elicitation.answered', AnsweredData>;
export type RejectedEvent = ElicitationEventFields<'elicitation.rejected', RejectedData>;
export type ExpiredEvent = ElicitationEventFields<'elicitation.expired', ExpiredData>;

/** An audited refusal. It belongs to no elicitation's version stream. */
export interface RefusedEvent extends EventFields<'security.refused', RefusedData> {
  readonly elicitationId: null;
  readonly version: null;
}

export type ElicitationEvent = RequestedEvent | AnsweredEvent | RejectedEvent | ExpiredEvent;
export type TerminalEvent = AnsweredEvent | RejectedEvent | ExpiredEvent;

/** An event before the store has given it a position. */
export type UnstoredEvent = ElicitationEvent | RefusedEvent;

/** An event as the store holds it. */
export type DomainEvent = UnstoredEvent & { readonly position: EventPosition };

export const domainEventTypes = [
  'elicitation.requested',
  'elicitation.answered',
  'elicitation.rejected',
  'elicitation.expired',
  'security.refused',
] as const;

/**
 * Returns `event` as stored at `position`. It is written out field by field, because every
 * stored event passes here and such a literal cost about a tenth of a spread when measured.
 */
export function storedAt(event: UnstoredEvent, position: number): DomainEvent {
  return {
    position: asEventPosition(position),
    eventId: event.eventId,
    type: event.type,
    elicitationId: event.elicitationId,
    version: event.version,
    time: event.time,
    causationId: event.causationId,
    correlationId: event.correlationId,
    data: event.data,
  } as DomainEvent;
}
