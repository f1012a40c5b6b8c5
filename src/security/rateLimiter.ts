/**
 * Per-agent token buckets: one bucket for an agent's requests and one for all its other
 * commands. A bucket starts full with `burst` tokens and refills continuously at
 * `perMinute` tokens a minute; every command takes one token before any other check.
 */

export interface BucketLimit {
  readonly perMinute: number;
  readonly burst: number;
}

export interface RateLimits {
  readonly requests: BucketLimit;
  readonly responses: BucketLimit;
}

export const defaultRateLimits: RateLimits = {
  requests: { perMinute: 600, burst: 60 },
  responses: { perMinute: 1200, burst: 120 },
};

export type BucketKind = keyof RateLimits;

/** Tokens are counted in units of 1/60,000 of a token, so refills at whole ms stay exact integers. */
const unitsPerToken = 60_000;

interface Bucket {
  units: number;
  updatedAt: number;
}

/** The result of taking a token: taken, or how long until one is there. */
export type TakeResult = { readonly taken: true } | { readonly taken: false; readonly retryAfterMs: number };

export interface RateLimiterOptions {
  /**
   * How many buckets of one kind there may be before the full ones are dropped; 10,000 by
   * default. The limit doubles whenever a sweep leaves more than half of it in use.
   */
  readonly sweepAbove?: number;
}

export class RateLimiter {
  private readonly buckets: Record<BucketKind, Map<string, Bucket>> = { requests: new Map(), responses: new Map() };
  /** Bucket count of each kind past which `take` drops the buckets that have refilled. */
  private readonly sweepAbove: Record<BucketKind, number>;

  constructor(
    private readonly limits: RateLimits,
    options: RateLimiterOptions = {},
  ) {
    const sweepAbove = options.sweepAbove ?? 10_000;
    this.sweepAbove = { requests: sweepAbove, responses: sweepAbove };
  }

  /** Returns how many buckets of `kind` are kept now. */
  bucketCount(kind: BucketKind): number {
    return this.buckets[kind].size;
  }

  /** Takes one token from `agent`'s bucket of `kind` at time `now` (epoch ms). */
  take(kind: BucketKind, agent: string, now: number): TakeResult {
    const limit = this.limits[kind];
    const capacity = limit.burst * unitsPerToken;
    const buckets = this.buckets[kind];
    let bucket = buckets.get(agent);
    if (bucket === undefined) {
      if (buckets.size >= this.sweepAbove[kind]) this.dropFullBuckets(kind, now);
      bucket = { units: capacity, updatedAt: now };
      buckets.set(agent, bucket);
    }

    // perMinute tokens a minute is perMinute units a millisecond.
    bucket.units = Math.min(capacity, bucket.units + Math.max(0, now - bucket.updatedAt) * limit.perMinute);
    bucket.updatedAt = Math.max(bucket.updatedAt, now);

    if (bucket.units >= unitsPerToken) {
      bucket.units -= unitsPerToken;
      return { taken: true };
    }
    const retryAfterMs = limit.perMinute > 0 ? Math.ceil((unitsPerToken - bucket.units) / limit.perMinute) : Number.POSITIVE_INFINITY;
    return { taken: false, retryAfterMs };
  }

  /**
   * Drops every bucket of `kind` that has refilled to the burst by `now`. A dropped bucket is
   * made again, full, on the agent's next command, which is the state it had, so no result
   * changes. Only agents that stopped sending cease to cost memory. This runs when the count
   * passes `sweepAbove`, which then doubles if most buckets are still in use, so the sweeps
   * cost O(1) a command over time.
   */
  private dropFullBuckets(kind: BucketKind, now: number): void {
    const limit = this.limits[kind];
    const capacity = limit.burst * unitsPerToken;
    const buckets = this.buckets[kind];
    for (const [agent, bucket] of buckets) {
      if (bucket.units + Math.max(0, now - bucket.updatedAt) * limit.perMinute >= capacity) buckets.delete(agent);
    }
    if (buckets.size * 2 > this.sweepAbove[kind]) this.sweepAbove[kind] *= 2;
  }
}
