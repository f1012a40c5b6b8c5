import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/security/rateLimiter.js';

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
