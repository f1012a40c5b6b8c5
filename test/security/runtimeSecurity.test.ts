import { afterEach, describe, expect, it, vi } from 'vitest';
import { createElicitationRuntime, MemoryEventStore, readAll, SimulatedClock, type ElicitationRuntimeOptions } from '../../src/index.js';

const start = Date.UTC(2026, 0, 1);
const schema = { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] };
const secret = 'a-test-secret-that-is-long-enough!!';

async function setUp(options: Partial<ElicitationRuntimeOptions> = {}) {
  const store = new MemoryEventStore();
  const clock = new SimulatedClock(start);
  const runtime = await createElicitationRuntime({ store, clock, ...options });
  return { store, clock, runtime };
}

async function refusals(store: MemoryEventStore) {
  return (await readAll(store)).filter((event) => event.type === 'security.refused').map((event) => event.data);
}

describe('strict security', () => {
  it('fails to start without a secret', async () => {
    vi.stubEnv('ELICIT_SECRET', '');
    await expect(createElicitationRuntime({ security: { level: 'strict' } })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    vi.unstubAllEnvs();
  });

  it('reads the secret from ELICIT_SECRET', async () => {
    vi.stubEnv('ELICIT_SECRET', secret);
    const { runtime } = await setUp({ security: { level: 'strict' } });
    const { responseToken } = await runtime.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 1000 });
    expect(responseToken).toMatch(/^k1\./);
    vi.unstubAllEnvs();
  });

  it('gives the token only to the responder', async () => {
    const { runtime } = await setUp({ security: { level: 'strict', secret } });
    const { id, responseToken } = await runtime.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 1000 });

    expect(responseToken).toBeTypeOf('string');
    expect(runtime.pending('bob').map((pending) => [pending.id, typeof pending.responseToken])).toEqual([[id, 'string']]);
    expect(runtime.pending('alice')).toEqual([]);
  });

  it('refuses a swapped or missing token', async () => {
    const { runtime } = await setUp({ security: { level: 'strict', secret } });
    const first = await runtime.request({ from: 'alice', to: 'bob', message: 'One', schema, timeoutMs: 1000 });
    const second = await runtime.request({ from: 'alice', to: 'bob', message: 'Two', schema, timeoutMs: 1000 });

    await expect(runtime.accept({ id: first.id, agent: 'bob', content: { approved: true }, token: second.responseToken! })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(runtime.decline({ id: first.id, agent: 'bob' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(runtime.accept({ id: first.id, agent: 'bob', content: { approved: true }, token: first.responseToken! })).resolves.toMatchObject({ state: 'answered' });
  });

  it('hides the state from a token that does not match', async () => {
    const { runtime } = await setUp({ security: { level: 'strict', secret } });
    const { id, responseToken } = await runtime.request({ from: 'alice', to: 'bob', message: 'One', schema, timeoutMs: 1000 });
    await runtime.decline({ id, agent: 'bob', token: responseToken! });

    await expect(runtime.accept({ id, agent: 'bob', content: { approved: true }, token: 'k1.forged.token' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(runtime.accept({ id, agent: 'bob', content: { approved: true }, token: responseToken! })).rejects.toMatchObject({ code: 'ALREADY_SETTLED' });
  });
});

describe('security off', () => {
  it('still refuses the wrong agent', async () => {
    const { runtime, store } = await setUp({ security: { level: 'off' } });
    const { id, responseToken } = await runtime.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 1000 });

    expect(responseToken).toBeUndefined();
    await expect(runtime.accept({ id, agent: 'alice', content: { approved: true } })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(runtime.withdraw({ id, agent: 'bob' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await runtime.stop();
    expect(await refusals(store)).toEqual([]);
  });

  it('has no rate limits', async () => {
    const { runtime } = await setUp({ security: { level: 'off' } });
    const requests = Array.from({ length: 200 }, (_, index) => runtime.request({ from: 'alice', to: 'bob', message: `q${index}`, schema, timeoutMs: 1000 }));
    await expect(Promise.all(requests)).resolves.toHaveLength(200);
  });
});

describe('rate limits and audit', () => {
  it('refuses an empty bucket before any other check', async () => {
    const { runtime, store } = await setUp({ security: { rateLimits: { responses: { perMinute: 60, burst: 1 } } } });
    await expect(runtime.decline({ id: 'no-such-id', agent: 'mallory' })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const limited = runtime.decline({ id: 'no-such-id', agent: 'mallory' });
    await expect(limited).rejects.toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterMs: 1000 } });
    await runtime.stop();
    expect(await refusals(store)).toEqual([{ agent: 'mallory', command: 'decline', code: 'RATE_LIMITED' }]);
  });

  it('audits a wrong agent with the elicitation id', async () => {
    const { runtime, store } = await setUp();
    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 1000 });
    await expect(runtime.accept({ id, agent: 'mallory', content: { approved: true } })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await runtime.stop();
    expect(await refusals(store)).toEqual([{ agent: 'mallory', command: 'accept', code: 'UNAUTHORIZED', elicitationId: id }]);
  });

  it('summarizes a flood of refusals', async () => {
    const { runtime, store, clock } = await setUp({ security: { audit: { perAgent: { perMinute: 0, burst: 5 }, summaryIntervalMs: 10_000 } } });
    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 60_000 });
    for (let index = 0; index < 100; index++) {
      await expect(runtime.accept({ id, agent: 'mallory', content: { approved: true } })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    clock.advanceBy(10_000);
    await runtime.stop();

    const written = await refusals(store);
    expect(written).toHaveLength(6);
    expect(written.slice(0, 5).every((refusal) => refusal.count === undefined)).toBe(true);
    expect(written[5]).toMatchObject({ agent: 'mallory', code: 'UNAUTHORIZED', count: 95, firstAt: start, lastAt: start });
  });
});

describe('input limits', () => {
  it('takes timeouts from 1 ms to 365 days', async () => {
    const { runtime } = await setUp();
    for (const timeoutMs of [1, 31_536_000_000]) {
      await expect(runtime.request({ from: 'alice', to: 'bob', message: 'ok', schema, timeoutMs })).resolves.toHaveProperty('id');
    }
    for (const timeoutMs of [0, -1, 1.5, 31_536_000_001, Number.NaN]) {
      await expect(runtime.request({ from: 'alice', to: 'bob', message: 'bad', schema, timeoutMs }), String(timeoutMs)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    }
  });

  it('refuses bad agent ids', async () => {
    const { runtime } = await setUp();
    for (const from of ['', 'a\u0000b', 'line\nbreak', 'x'.repeat(257)]) {
      await expect(runtime.request({ from, to: 'bob', message: 'ok', schema, timeoutMs: 10 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    }
  });

  it('refuses oversized and deep values', async () => {
    const { runtime } = await setUp();
    let deep: Record<string, unknown> = { type: 'object' };
    for (let index = 0; index < 40; index++) deep = { type: 'object', properties: { next: deep } };
    await expect(runtime.request({ from: 'alice', to: 'bob', message: 'ok', schema: deep, timeoutMs: 10 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(runtime.request({ from: 'alice', to: 'bob', message: 'x'.repeat(70_000), schema, timeoutMs: 10 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });

    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'ok', schema: { type: 'object' }, timeoutMs: 10_000 });
    await expect(runtime.accept({ id, agent: 'bob', content: { blob: 'x'.repeat(2_000_000) } })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    let nested: unknown = 1;
    for (let index = 0; index < 100_000; index++) nested = [nested];
    await expect(runtime.accept({ id, agent: 'bob', content: { nested } })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(runtime.get(id)?.state).toBe('pending');
  });

  it('accepts the depth limit, rejects one more', async () => {
    const { runtime } = await setUp();
    /** An object nested `levels` deep, as the limits count: `{}` is one level. */
    const nestedObject = (levels: number): Record<string, unknown> => (levels <= 1 ? {} : { inner: nestedObject(levels - 1) });
    const outcomeOf = (promise: Promise<unknown>) => promise.then(() => 'taken', (error: { message?: string }) => error.message);

    // Defaults: schema 16 levels, metadata 8, content 32.
    const atLimit = await runtime.request({ from: 'alice', to: 'bob', message: 'ok', schema: { type: 'object', properties: nestedObject(15) }, metadata: nestedObject(8), timeoutMs: 10_000 });
    expect(atLimit).toHaveProperty('id');
    expect(await outcomeOf(runtime.request({ from: 'alice', to: 'bob', message: 'ok', schema: { type: 'object', properties: nestedObject(16) }, timeoutMs: 10_000 }))).toBe('INVALID_REQUEST: schema nests deeper than 16 levels; send a smaller JSON value');
    expect(await outcomeOf(runtime.request({ from: 'alice', to: 'bob', message: 'ok', schema, metadata: nestedObject(9), timeoutMs: 10_000 }))).toBe('INVALID_REQUEST: metadata nests deeper than 8 levels; send a smaller JSON value');

    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'ok', schema: { type: 'object' }, timeoutMs: 10_000 });
    expect(await outcomeOf(runtime.accept({ id, agent: 'bob', content: [nestedObject(32)] }))).toBe('INVALID_REQUEST: content nests deeper than 32 levels; send a smaller JSON value');
    expect(runtime.get(id)?.state).toBe('pending');
    expect(await outcomeOf(runtime.accept({ id, agent: 'bob', content: nestedObject(32) }))).toBe('taken');
  });

  it('rejects deep content under huge limit', async () => {
    const { runtime } = await setUp({ limits: { input: { content: { maxLength: 1024 * 1024, maxDepth: 1e9 } } } });
    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'ok', schema: { type: 'object' }, timeoutMs: 10_000 });
    let nested: unknown = {};
    for (let index = 0; index < 1_000_000; index++) nested = { inner: nested };

    await expect(runtime.accept({ id, agent: 'bob', content: nested })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(runtime.get(id)?.state).toBe('pending');
  });

  it('keeps __proto__ content as plain data', async () => {
    const { runtime, store } = await setUp();
    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'ok', schema: { type: 'object' }, timeoutMs: 10_000 });
    const content = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as unknown;
    const answered = await runtime.accept({ id, agent: 'bob', content });
    await runtime.stop();

    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const stored = answered.state === 'answered' ? (answered.content as object) : {};
    expect(Object.keys(stored)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    const answeredEvent = (await readAll(store)).find((event) => event.type === 'elicitation.answered');
    expect(JSON.stringify(answeredEvent?.data)).toContain('"__proto__":{"polluted":true}');
  });

  it('lists each failing field of invalid content', async () => {
    const { runtime } = await setUp();
    const strictSchema = { type: 'object', properties: { approved: { type: 'boolean' }, count: { type: 'integer' } }, required: ['approved', 'count'] };
    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'ok', schema: strictSchema, timeoutMs: 10_000 });
    const refused = await runtime.accept({ id, agent: 'bob', content: { approved: 'yes' } }).catch((error: unknown) => error);

    expect(refused).toMatchObject({ code: 'INVALID_CONTENT' });
    const issues = (refused as { details: { issues: { path: string; message: string }[] } }).details.issues;
    expect(issues.map((issue) => issue.path).sort()).toEqual(['/', '/approved']);
    expect(issues.find((issue) => issue.path === '/')?.message).toContain('count');
  });
});

describe('records handed out', () => {
  it('returned record cannot be changed', async () => {
    const { runtime } = await setUp();
    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'ok', schema, timeoutMs: 10_000 });
    const pending = runtime.get(id) as unknown as Record<string, unknown>;

    expect(() => {
      pending.state = 'answered';
    }).toThrow(TypeError);
    expect(() => {
      pending.to = 'mallory';
    }).toThrow(TypeError);
    expect(runtime.get(id)?.state).toBe('pending');

    const answered = await runtime.accept({ id, agent: 'bob', content: { approved: true } });
    expect(answered.state).toBe('answered');
    expect(Object.isFrozen(answered)).toBe(true);
    expect(Object.isFrozen(runtime.get(id))).toBe(true);
    await runtime.stop();
  });
});

describe('mcp schema profile', () => {
  it('takes a flat form schema', async () => {
    const { runtime } = await setUp({ schemaProfile: 'mcp' });
    const form = {
      type: 'object',
      properties: {
        name: { type: 'string', title: 'Name', minLength: 1, maxLength: 50 },
        email: { type: 'string', format: 'email' },
        age: { type: 'integer', minimum: 0, maximum: 150 },
        subscribe: { type: 'boolean', default: false },
        plan: { type: 'string', enum: ['free', 'pro'] },
        size: { type: 'string', oneOf: [{ const: 's', title: 'Small' }, { const: 'l', title: 'Large' }] },
        tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, minItems: 1 },
      },
      required: ['name'],
    };
    await expect(runtime.request({ from: 'alice', to: 'bob', message: 'form', schema: form, timeoutMs: 10 })).resolves.toHaveProperty('id');
  });

  it('refuses nested objects and unknown keywords', async () => {
    const { runtime } = await setUp({ schemaProfile: 'mcp' });
    const nested = { type: 'object', properties: { address: { type: 'object', properties: { city: { type: 'string' } } } } };
    const withPattern = { type: 'object', properties: { code: { type: 'string', pattern: '^[0-9]+$' } } };
    const badFormat = { type: 'object', properties: { site: { type: 'string', format: 'hostname' } } };

    for (const candidate of [nested, withPattern, badFormat, { type: 'array' }]) {
      await expect(runtime.request({ from: 'alice', to: 'bob', message: 'form', schema: candidate, timeoutMs: 10 }), JSON.stringify(candidate)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    }
  });
});

describe('long deadlines on the wall clock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires a deadline past 24.8 days on time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: start });
    const runtime = await createElicitationRuntime({ security: { level: 'off' } });
    const thirtyDays = 30 * 24 * 60 * 60 * 1000;
    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'Renew?', schema, timeoutMs: thirtyDays });

    await vi.advanceTimersByTimeAsync(25 * 24 * 60 * 60 * 1000);
    expect(runtime.get(id)?.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(thirtyDays - 25 * 24 * 60 * 60 * 1000 - 1);
    expect(runtime.get(id)?.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(runtime.get(id)?.state).toBe('expired');
    await runtime.stop();
  });
});
