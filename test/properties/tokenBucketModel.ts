/**
 * The reference model of per-agent rate limits: a token bucket that starts full with
 * `burst` tokens and refills continuously at `perMinute` tokens a minute.
 */

export interface BucketSettings {
  readonly perMinute: number;
  readonly burst: number;
}

/** One minute in milliseconds: a bucket gains `perMinute / msPerMinute` tokens each millisecond. */
const msPerMinute = 60_000;

/**
 * The buckets of one kind (requests, or all other commands), one per agent. Levels are
 * counted in 1/60,000 of a token, so a refill over whole milliseconds is an exact integer
 * and the model never disagrees with the runtime over a rounding error.
 */
export class TokenBucketModel {
  private readonly levels = new Map<string, { level: number; at: number }>();

  constructor(private readonly settings: BucketSettings) {}

  /** Takes one token from `agent`'s bucket at time `now`; false when the bucket contains less than one. */
  take(agent: string, now: number): boolean {
    const capacity = this.settings.burst * msPerMinute;
    const bucket = this.levels.get(agent) ?? { level: capacity, at: now };

    const elapsed = Math.max(0, now - bucket.at);
    const level = Math.min(capacity, bucket.level + elapsed * this.settings.perMinute);
    const taken = level >= msPerMinute;
    this.levels.set(agent, { level: taken ? level - msPerMinute : level, at: Math.max(bucket.at, now) });
    return taken;
  }
}
