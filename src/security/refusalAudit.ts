/**
 * The audit of refusals: each `UNAUTHORIZED` or `RATE_LIMITED` refusal becomes a
 * `security.refused` event, up to a per-agent rate. Past that rate, an agent's further
 * refusals are only counted, and one summary event per agent and code is written when the
 * interval ends, so a flood of refusals cannot grow the log without bound.
 */
import type { CommandName, RefusedData } from '../store/domainEvent.js';
import type { RuntimeClock } from '../runtime/clock.js';
import { RateLimiter, type BucketLimit } from './rateLimiter.js';

export interface AuditLimits {
  /** Refusals of one agent written one by one, as a token bucket. */
  readonly perAgent: BucketLimit;
  /** How often the counted refusals are written as summaries, in milliseconds. */
  readonly summaryIntervalMs: number;
}

export const defaultAuditLimits: AuditLimits = { perAgent: { perMinute: 60, burst: 20 }, summaryIntervalMs: 60_000 };

export type RefusalCode = RefusedData['code'];

interface SuppressedCount {
  readonly agent: string;
  readonly code: RefusalCode;
  command: CommandName;
  count: number;
  firstAt: number;
  lastAt: number;
}


export class RefusalAudit {
  private readonly budget: RateLimiter;
  private readonly suppressed = new Map<string, SuppressedCount>();
  private summaryTimer: unknown;

  constructor(
    private readonly limits: AuditLimits,
    private readonly clock: RuntimeClock,
    private readonly write: (record: RefusedData, time: number) => void,
  ) {
    this.budget = new RateLimiter({ requests: limits.perAgent, responses: limits.perAgent });
  }

  /** Writes the refusal now, or counts it for the next summary when the agent is over its rate. */
  record(refusal: RefusedData, now: number): void {
    if (this.budget.take('responses', refusal.agent, now).taken) {
      this.write(refusal, now);
      return;
    }

    const key = `${refusal.code}\u0000${refusal.agent}`;
    const counted = this.suppressed.get(key);
    if (counted === undefined) {
      this.suppressed.set(key, { agent: refusal.agent, code: refusal.code, command: refusal.command, count: 1, firstAt: now, lastAt: now });
    } else {
      counted.count += 1;
      counted.lastAt = now;
      counted.command = refusal.command;
    }
    this.summaryTimer ??= this.clock.setTimeout(() => this.flush(), this.limits.summaryIntervalMs);
  }

  /** Writes one summary event per agent and code counted since the last flush. */
  flush(): void {
    if (this.summaryTimer !== undefined) this.clock.clearTimeout(this.summaryTimer as never);
    this.summaryTimer = undefined;

    const now = this.clock.now();
    for (const counted of this.suppressed.values()) {
      this.write({ agent: counted.agent as RefusedData['agent'], command: counted.command, code: counted.code, count: counted.count, firstAt: counted.firstAt, lastAt: counted.lastAt }, now);
    }
    this.suppressed.clear();
  }
}
