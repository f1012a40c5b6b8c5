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

export class RateLimiter {
  // NOTE: a bucket is kept for every agent ever seen, so millions of distinct agent ids grow
  // this map without bound; full buckets could be dropped, since a new bucket starts full.
  private readonly buckets: Record<BucketKind, Map<string, Bucket>> = { requests: new Map(), responses: new Map() };

  constructor(private readonly limits: RateLimits) {}

  /** Takes one token from `agent`'s bucket of `kind` at time `now` (epoch ms). */
  take(kind: BucketKind, agent: string, now: number): TakeResult {
    const limit = this.limits[kind];
    const capacity = limit.burst * unitsPerToken;
    const buckets = this.buckets[kind];
    let bucket = buckets.get(agent);
    if (bucket === undefined) {
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
}
