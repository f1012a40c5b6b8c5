/**
 * How MCP's words for an answer map onto the runtime. The actions `accept`, `decline` and
 * `cancel` of an elicitation result become the runtime's commands of the same names, and an
 * elicitation becomes the outcome `{id, state, reason, by, content}` that the bridge's tools
 * return.
 */
import type { ElicitationRuntime, ElicitationSnapshot } from '../runtime/elicitationRuntime.js';
import type { RejectionReason } from '../store/domainEvent.js';

export const elicitationActions = ['accept', 'decline', 'cancel'] as const;
export type ElicitationAction = (typeof elicitationActions)[number];

export interface ActionInput {
  readonly id: string;
  /** The responder who sends the action. */
  readonly agent: string;
  readonly action: ElicitationAction;
  /** Read for `accept` only; an accept without content is checked as the empty object. */
  readonly content?: unknown;
  readonly token?: string | undefined;
}

/**
 * An elicitation as a tool result. A settled one has `reason`, `by` and `content`, each null
 * where its state has none; a pending one has only its id and state.
 */
export type ElicitationOutcome =
  | {
      readonly id: string;
      readonly state: Exclude<ElicitationSnapshot['state'], 'pending'>;
      readonly reason: RejectionReason | null;
      readonly by: string | null;
      readonly content: unknown;
    }
  | { readonly id: string; readonly state: 'pending' };

/**
 * Sends the action to the runtime, which checks the responder, the token, the deadline and,
 * for an accept, the content against the schema. An accept without content is checked as
 * `{}`, so a schema with required fields refuses it with `INVALID_CONTENT`.
 */
export function applyAction(runtime: ElicitationRuntime, input: ActionInput): Promise<ElicitationSnapshot> {
  const response = { id: input.id, agent: input.agent, ...(input.token === undefined ? {} : { token: input.token }) };
  switch (input.action) {
    case 'accept':
      return runtime.accept({ ...response, content: input.content ?? {} });
    case 'decline':
      return runtime.decline(response);
    case 'cancel':
      return runtime.cancel(response);
  }
}

export function toOutcome(snapshot: ElicitationSnapshot): ElicitationOutcome {
  switch (snapshot.state) {
    case 'answered':
      return { id: snapshot.id, state: 'answered', reason: null, by: snapshot.by, content: snapshot.content };
    case 'rejected':
      return { id: snapshot.id, state: 'rejected', reason: snapshot.reason, by: snapshot.by, content: null };
    case 'expired':
      return { id: snapshot.id, state: 'expired', reason: null, by: null, content: null };
    case 'pending':
      return { id: snapshot.id, state: 'pending' };
  }
}
