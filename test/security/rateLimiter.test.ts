import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateLimiter, type BucketKind } from '../../src/security/rateLimiter.js';

const limits = { requests: { perMinute: 60, burst: 3 }, responses: { perMinute: 1200, burst: 1 } };

describe('rate limiter', () => {
  it('starts full with the burst', () => {
    const limiter = new RateLimiter(limits);
    const results = [0, 1, 2, 3].map(() => limiter.take('requests', 'alice', 0).taken);
    expect(results).toEqual([true, true, true, false]);
  });

  it('refills one token per minute over perMinute', () => {
    const limiter = new RateLimiter(limits);
    for (let index = 0; index < 3; index++) limiter.take('requests', 'alice', 0);

    expect(limiter.take('requests', 'alice', 999)).toEqual({ taken: false, retryAfterMs: 1 });
    expect(limiter.take('requests', 'alice', 1000).taken).toBe(true);
    expect(limiter.take('requests', 'alice', 1000).taken).toBe(false);
  });

  it('keeps agents and kinds apart', () => {
    const limiter = new RateLimiter(limits);
    limiter.take('responses', 'alice', 0);

    expect(limiter.take('responses', 'alice', 0).taken).toBe(false);
    expect(limiter.take('responses', 'bob', 0).taken).toBe(true);
    expect(limiter.take('requests', 'alice', 0).taken).toBe(true);
  });

  it('never refills past the burst', () => {
    const limiter = new RateLimiter(limits);
    limiter.take('requests', 'alice', 0);
    const results = [0, 1, 2, 3].map(() => limiter.take('requests', 'alice', 3_600_000).taken);
    expect(results).toEqual([true, true, true, false]);
  });

  it('tells how long until the next token', () => {
    const limiter = new RateLimiter(limits);
    limiter.take('responses', 'alice', 0);
    expect(limiter.take('responses', 'alice', 10)).toEqual({ taken: false, retryAfterMs: 40 });
  });
});

describe('rate limiter, dropping idle buckets', () => {
  it('drops refilled buckets past the limit', () => {
    const limiter = new RateLimiter(limits, { sweepAbove: 4 });
    for (const agent of ['a', 'b', 'c', 'd']) limiter.take('requests', agent, 0);

    // One token a second: by 1 s each of the four has refilled to its burst of 3.
    limiter.take('requests', 'e', 1_000);

    expect(limiter.bucketCount('requests')).toBe(1);
  });

  it('keeps buckets still refilling', () => {
    const limiter = new RateLimiter(limits, { sweepAbove: 4 });
    for (let index = 0; index < 3; index++) limiter.take('requests', 'a', 0);
    for (const agent of ['b', 'c', 'd']) limiter.take('requests', agent, 0);

    limiter.take('requests', 'e', 500);

    expect(limiter.bucketCount('requests')).toBe(5);
    expect(limiter.take('requests', 'a', 500)).toEqual({ taken: false, retryAfterMs: 500 });
  });

  it('dropping changes no result', () => {
    const step = fc.record({
      agent: fc.integer({ min: 0, max: 4 }),
      kind: fc.constantFrom<BucketKind>('requests', 'responses'),
      // Mostly no or little time between commands, so buckets are often caught half empty.
      advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 4_000 })),
    });

    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const sweeping = new RateLimiter(limits, { sweepAbove: 1 });
        const keeping = new RateLimiter(limits, { sweepAbove: Number.MAX_SAFE_INTEGER });
        let now = 0;
        for (const { agent, kind, advanceMs } of steps) {
          now += advanceMs;
          expect(sweeping.take(kind, `agent-${agent}`, now)).toEqual(keeping.take(kind, `agent-${agent}`, now));
        }
      }),
    );
  });
});
