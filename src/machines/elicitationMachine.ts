/**
 * The life of one elicitation as an XState machine: `pending` until the responder answers,
 * declines or cancels, the requester withdraws, or the deadline passes. Guards hold every
 * rule (who, with which token, until when, with what content), so diagrams show them and
 * tests exercise them. The machine reads no clock and does no I/O: each command carries
 * the time it arrived (`at`), and the deadline fires through the clock the runtime gives
 * the actor.
 */
import { assign, emit, not, setup } from 'xstate';
import { SchemaValidator } from '../security/schemaValidator.js';
import type { JsonSchema, RejectionReason } from '../store/domainEvent.js';
import { isBeforeDeadline, maySend, type CommandType } from './rules.js';

export interface ElicitationInput {
  readonly id: string;
  readonly requester: string;
  readonly responder: string;
  readonly schema: JsonSchema;
  /** Absolute deadline, epoch milliseconds. */
  readonly deadline: number;
  /** When the actor starts, epoch milliseconds; the deadline timer runs from here. */
  readonly armedAt: number;
  /** Whether responder commands must carry a valid response token. */
  readonly tokenRequired: boolean;
}

interface CommandFields {
  readonly agent: string;
  /** When the command arrived, epoch milliseconds on the runtime's clock. */
  readonly at: number;
  readonly commandId: string;
  readonly token?: string;
}

export type ElicitationCommand =
  | ({ readonly type: 'ACCEPT'; readonly content: unknown } & CommandFields)
  | ({ readonly type: 'DECLINE' } & CommandFields)
  | ({ readonly type: 'CANCEL' } & CommandFields)
  | ({ readonly type: 'WITHDRAW' } & CommandFields);

/** How an elicitation ended, as its final state's output. */
export type Settlement =
  | { readonly state: 'answered'; readonly by: string; readonly content: unknown; readonly commandId: string }
  | { readonly state: 'rejected'; readonly by: string; readonly reason: RejectionReason; readonly commandId: string }
  | { readonly state: 'expired' };

export interface ElicitationContext extends ElicitationInput {
  readonly settlement: Settlement | null;
}

export type RefusalCode = 'UNAUTHORIZED' | 'EXPIRED' | 'INVALID_CONTENT';

/** Emitted when a guard refuses a command; the state does not change. */
export interface RefusedEmitted {
  readonly type: 'refused';
  readonly code: RefusalCode;
  /** The rule that refused, in words, for the caller's error message. */
  readonly rule: string;
  readonly commandId: string;
}

const defaultValidator = new SchemaValidator();

/**
 * Returns the context of a new elicitation actor: its input, and no settlement yet. It is
 * written out field by field, not as `{ ...input, settlement: null }`, because on Node.js 20
 * `node --log-maps` showed that spread giving every context a hidden class of its own.
 */
export function initialContext(input: ElicitationInput): ElicitationContext {
  return {
    id: input.id,
    requester: input.requester,
    responder: input.responder,
    schema: input.schema,
    deadline: input.deadline,
    armedAt: input.armedAt,
    tokenRequired: input.tokenRequired,
    settlement: null,
  };
}

const reasonOf: Record<Exclude<CommandType, 'ACCEPT'>, RejectionReason> = {
  DECLINE: 'declined',
  CANCEL: 'cancelled',
  WITHDRAW: 'withdrawn',
};

export const elicitationMachine = setup({
  types: {
    context: {} as ElicitationContext,
    input: {} as ElicitationInput,
    events: {} as ElicitationCommand,
    emitted: {} as RefusedEmitted,
    output: {} as Settlement,
  },
  guards: {
    isSender: ({ context, event }) => maySend(context, event.type, event.agent),
    // Fails closed: without a token verifier from the runtime, a required token never matches.
    hasValidToken: ({ context }) => !context.tokenRequired,
    isBeforeDeadline: ({ context, event }) => isBeforeDeadline(context.deadline, event.at),
    contentMatchesSchema: ({ context, event }) => event.type === 'ACCEPT' && defaultValidator.matches(context.schema, event.content),
  },
  actions: {
    refuse: emit(({ event }, params: { code: RefusalCode; rule: string }): RefusedEmitted => ({
      type: 'refused',
      code: params.code,
      rule: params.rule,
      commandId: event.commandId,
    })),
    recordAnswer: assign({
      settlement: ({ event }) =>
        event.type === 'ACCEPT' ? { state: 'answered', by: event.agent, content: event.content, commandId: event.commandId } : null,
    }),
    recordRejection: assign({
      settlement: ({ event }) =>
        event.type === 'ACCEPT' ? null : { state: 'rejected', by: event.agent, reason: reasonOf[event.type], commandId: event.commandId },
    }),
    recordExpiry: assign({ settlement: (): Settlement => ({ state: 'expired' }) }),
  },
  delays: {
    // Relative to when the actor started, which the runtime passes in; never a clock read.
    untilDeadline: ({ context }) => Math.max(0, context.deadline - context.armedAt),
  },
}).createMachine({
  id: 'elicitation',
  initial: 'pending',
  context: ({ input }) => initialContext(input),
  states: {
    pending: {
      after: { untilDeadline: { target: 'expired', actions: 'recordExpiry' } },
      on: {
        // Each list runs top to bottom and takes the first guard that holds, so the
        // refusals come in the contract's order: agent, token, deadline, content.
        ACCEPT: [
          { guard: not('isSender'), actions: { type: 'refuse', params: { code: 'UNAUTHORIZED', rule: 'only the responder may accept' } } },
          { guard: not('hasValidToken'), actions: { type: 'refuse', params: { code: 'UNAUTHORIZED', rule: "an accept must carry the elicitation's response token" } } },
          { guard: not('isBeforeDeadline'), actions: { type: 'refuse', params: { code: 'EXPIRED', rule: 'an answer must arrive before the deadline' } } },
          { guard: not('contentMatchesSchema'), actions: { type: 'refuse', params: { code: 'INVALID_CONTENT', rule: 'accepted content must match the schema' } } },
          { target: 'answered', actions: 'recordAnswer' },
        ],
        DECLINE: [
          { guard: not('isSender'), actions: { type: 'refuse', params: { code: 'UNAUTHORIZED', rule: 'only the responder may decline' } } },
          { guard: not('hasValidToken'), actions: { type: 'refuse', params: { code: 'UNAUTHORIZED', rule: "a decline must carry the elicitation's response token" } } },
          { guard: not('isBeforeDeadline'), actions: { type: 'refuse', params: { code: 'EXPIRED', rule: 'a decline must arrive before the deadline' } } },
          { target: 'rejected', actions: 'recordRejection' },
        ],
        CANCEL: [
          { guard: not('isSender'), actions: { type: 'refuse', params: { code: 'UNAUTHORIZED', rule: 'only the responder may cancel' } } },
          { guard: not('hasValidToken'), actions: { type: 'refuse', params: { code: 'UNAUTHORIZED', rule: "a cancel must carry the elicitation's response token" } } },
          { guard: not('isBeforeDeadline'), actions: { type: 'refuse', params: { code: 'EXPIRED', rule: 'a cancel must arrive before the deadline' } } },
          { target: 'rejected', actions: 'recordRejection' },
        ],
        WITHDRAW: [
          { guard: not('isSender'), actions: { type: 'refuse', params: { code: 'UNAUTHORIZED', rule: 'only the requester may withdraw' } } },
          { guard: not('isBeforeDeadline'), actions: { type: 'refuse', params: { code: 'EXPIRED', rule: 'a withdrawal must arrive before the deadline' } } },
          { target: 'rejected', actions: 'recordRejection' },
        ],
      },
    },
    answered: { type: 'final' },
    rejected: { type: 'final' },
    expired: { type: 'final' },
  },
  output: ({ context }) => context.settlement!,
});

export type ElicitationMachine = typeof elicitationMachine;
