/**
 * The reference model of the runtime: plain TypeScript written from the contracts alone,
 * with no code from `src/machines`. For each command it predicts success or the exact
 * error code, the state of every elicitation and every event the log must hold, in order.
 *
 * Contract rules it encodes:
 * - checks run in the order rate limit, existence, authorization (agent, then token),
 *   state (expired, then settled), content, and the first failing check gives the code;
 * - a command at time `t` is taken only if `t < deadline`, and moving the clock to `t`
 *   expires every pending elicitation whose deadline is `<= t`, in deadline order (ties in
 *   request order), each stamped with its own deadline;
 * - `standard` and `strict` take a rate-limit token from the agent's bucket before any
 *   other check, and audit `UNAUTHORIZED` and `RATE_LIMITED` refusals. `strict` also
 *   requires the response token on responder commands. `off` does none of this.
 */
import { schemaPool, type SchemaName } from './schemaPool.js';
import { TokenBucketModel, type BucketSettings } from './tokenBucketModel.js';

export type SecurityLevel = 'off' | 'standard' | 'strict';
export type ModelState = 'pending' | 'answered' | 'rejected' | 'expired';
export type ResponseKind = 'accept' | 'decline' | 'cancel' | 'withdraw';
export type ExpectedCode = 'INVALID_REQUEST' | 'INVALID_CONTENT' | 'NOT_FOUND' | 'UNAUTHORIZED' | 'ALREADY_SETTLED' | 'EXPIRED' | 'RATE_LIMITED';

/** A predicted command result: `ok`, or the error code the runtime must give. */
export type Outcome = 'ok' | ExpectedCode;

export interface RateLimitSettings {
  readonly requests: BucketSettings;
  readonly responses: BucketSettings;
}

/** One elicitation as the model predicts `runtime.get(id)` shows it; `ref` is its request order. */
export interface ModelElicitation {
  readonly ref: number;
  readonly from: string;
  readonly to: string;
  readonly schemaName: SchemaName;
  readonly deadline: number;
  state: ModelState;
  by?: string;
  reason?: 'declined' | 'cancelled' | 'withdrawn';
  content?: unknown;
  settledAt?: number;
}

/** An event the log must hold, by the fields the model can predict. */
export type ExpectedEvent =
  | { readonly type: 'elicitation.requested'; readonly ref: number; readonly time: number; readonly from: string; readonly to: string; readonly deadline: number }
  | { readonly type: 'elicitation.answered'; readonly ref: number; readonly time: number; readonly by: string; readonly content: unknown }
  | { readonly type: 'elicitation.rejected'; readonly ref: number; readonly time: number; readonly by: string; readonly reason: string }
  | { readonly type: 'elicitation.expired'; readonly ref: number; readonly time: number; readonly deadline: number }
  | { readonly type: 'security.refused'; readonly time: number; readonly agent: string; readonly command: string; readonly code: 'UNAUTHORIZED' | 'RATE_LIMITED'; readonly ref?: number };

export interface RequestCall {
  readonly from: string;
  readonly to: string;
  readonly schemaName: SchemaName;
  readonly timeoutMs: number;
}

export interface ResponseCall {
  readonly kind: ResponseKind;
  /** The elicitation, or `undefined` for an id the runtime never issued. */
  readonly ref: number | undefined;
  readonly agent: string;
  /** Whether the command carries this elicitation's own response token. */
  readonly carriesOwnToken: boolean;
  readonly content?: unknown;
}

const reasons = { decline: 'declined', cancel: 'cancelled', withdraw: 'withdrawn' } as const;

export class ReferenceModel {
  readonly elicitations: ModelElicitation[] = [];
  readonly log: ExpectedEvent[] = [];
  now: number;
  private readonly requestBuckets: TokenBucketModel | undefined;
  private readonly responseBuckets: TokenBucketModel | undefined;

  constructor(
    readonly level: SecurityLevel,
    startTime: number,
    rateLimits: RateLimitSettings,
  ) {
    this.now = startTime;
    const limited = level !== 'off';
    this.requestBuckets = limited ? new TokenBucketModel(rateLimits.requests) : undefined;
    this.responseBuckets = limited ? new TokenBucketModel(rateLimits.responses) : undefined;
  }

  /** Lists the pending elicitations in request order. */
  pendingElicitations(): ModelElicitation[] {
    return this.elicitations.filter((elicitation) => elicitation.state === 'pending');
  }

  /** Moves time to `time` (never backwards), expiring every deadline reached on the way. */
  advanceTo(time: number): void {
    // A stable sort keeps request order among equal deadlines.
    const due = this.pendingElicitations()
      .filter((elicitation) => elicitation.deadline <= time)
      .sort((a, b) => a.deadline - b.deadline);
    for (const elicitation of due) {
      elicitation.state = 'expired';
      elicitation.settledAt = elicitation.deadline;
      this.log.push({ type: 'elicitation.expired', ref: elicitation.ref, time: elicitation.deadline, deadline: elicitation.deadline });
    }
    this.now = Math.max(this.now, time);
  }

  request(call: RequestCall): Outcome {
    if (this.requestBuckets && !this.requestBuckets.take(call.from, this.now)) return this.refuse(call.from, 'request', 'RATE_LIMITED', undefined);

    if (!Number.isInteger(call.timeoutMs) || call.timeoutMs < 1) return 'INVALID_REQUEST';

    const elicitation: ModelElicitation = {
      ref: this.elicitations.length,
      from: call.from,
      to: call.to,
      schemaName: call.schemaName,
      deadline: this.now + call.timeoutMs,
      state: 'pending',
    };
    this.elicitations.push(elicitation);
    this.log.push({ type: 'elicitation.requested', ref: elicitation.ref, time: this.now, from: call.from, to: call.to, deadline: elicitation.deadline });
    return 'ok';
  }

  respond(call: ResponseCall): Outcome {
    if (this.responseBuckets && !this.responseBuckets.take(call.agent, this.now)) return this.refuse(call.agent, call.kind, 'RATE_LIMITED', undefined);

    const elicitation = call.ref === undefined ? undefined : this.elicitations[call.ref];
    if (elicitation === undefined) return 'NOT_FOUND';

    const sender = call.kind === 'withdraw' ? elicitation.from : elicitation.to;
    if (call.agent !== sender) return this.refuse(call.agent, call.kind, 'UNAUTHORIZED', elicitation.ref);
    const tokenRequired = this.level === 'strict' && call.kind !== 'withdraw';
    if (tokenRequired && !call.carriesOwnToken) return this.refuse(call.agent, call.kind, 'UNAUTHORIZED', elicitation.ref);

    if (elicitation.state === 'expired') return 'EXPIRED';
    if (elicitation.state !== 'pending') return 'ALREADY_SETTLED';
    // Unreachable while every clock move expires what it passes, but the rule is `now < deadline`.
    if (this.now >= elicitation.deadline) return 'EXPIRED';

    if (call.kind === 'accept' && !schemaPool[elicitation.schemaName].matches(call.content)) return 'INVALID_CONTENT';

    this.settle(elicitation, call);
    return 'ok';
  }

  private settle(elicitation: ModelElicitation, call: ResponseCall): void {
    elicitation.by = call.agent;
    elicitation.settledAt = this.now;
    if (call.kind === 'accept') {
      elicitation.state = 'answered';
      elicitation.content = call.content;
      this.log.push({ type: 'elicitation.answered', ref: elicitation.ref, time: this.now, by: call.agent, content: call.content });
      return;
    }
    elicitation.state = 'rejected';
    elicitation.reason = reasons[call.kind];
    this.log.push({ type: 'elicitation.rejected', ref: elicitation.ref, time: this.now, by: call.agent, reason: reasons[call.kind] });
  }

  /** Records the audit event that `standard` and `strict` write, and returns the code. */
  private refuse(agent: string, command: string, code: 'UNAUTHORIZED' | 'RATE_LIMITED', ref: number | undefined): Outcome {
    if (this.level !== 'off') {
      this.log.push({ type: 'security.refused', time: this.now, agent, command, code, ...(ref === undefined ? {} : { ref }) });
    }
    return code;
  }
}
