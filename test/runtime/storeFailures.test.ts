import { describe, expect, it } from 'vitest';
import { createElicitationRuntime, readAll, replay, SimulatedClock } from '../../src/index.js';
import { FailingEventStore } from '../support/failingEventStore.js';

const schema = { type: 'object' };
const start = Date.UTC(2026, 0, 1);
const quickRetry = { initialDelayMs: 2, maxDelayMs: 10, giveUpAfterMs: 80 };

async function setUp() {
  const store = new FailingEventStore();
  const clock = new SimulatedClock(start);
  const runtime = await createElicitationRuntime({ store, clock, security: { level: 'standard' }, limits: { storeRetry: quickRetry } });
  return { store, clock, runtime };
}

describe('store failures', () => {
  it('retries a failing append until the store is back', async () => {
    const { store, runtime } = await setUp();
    store.failWith('SQLITE_BUSY: database is locked');

    const request = runtime.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 60_000 });
    setTimeout(() => store.recover(), 20);
    const { id } = await request;

    expect(store.failedAppends).toBeGreaterThan(0);
    expect(runtime.get(id)?.state).toBe('pending');
    expect((await readAll(store)).map((event) => event.type)).toEqual(['elicitation.requested']);
    await runtime.stop();
  });

  it('fails commands with STORE_UNAVAILABLE and applies none of them', async () => {
    const { store, runtime } = await setUp();
    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 60_000 });
    store.failWith('SQLITE_FULL: database or disk is full');

    const accept = runtime.accept({ id, agent: 'bob', content: { approved: true } });
    const second = runtime.request({ from: 'carol', to: 'bob', message: 'Scale?', schema, timeoutMs: 60_000 });

    await expect(accept).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(second).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(runtime.get(id)?.state).toBe('pending');
    expect(runtime.pending('bob').map((elicitation) => elicitation.id)).toEqual([id]);
    await runtime.stop();
  });

  it('undone async request rejects its settled waiters', async () => {
    const store = new FailingEventStore();
    const runtime = await createElicitationRuntime({ store, clock: new SimulatedClock(start), durability: 'async', limits: { storeRetry: quickRetry } });
    store.failWith('SQLITE_FULL: database or disk is full');

    // Acknowledged at once under async durability, before the store has taken it.
    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 60_000 });
    const settled = runtime.settled(id);

    await expect(settled).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(runtime.get(id)).toBeUndefined();
    await runtime.stop();
  });

  it('failed expiry write rejects settled(), then expires again', async () => {
    const { store, clock, runtime } = await setUp();
    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 1_000 });
    store.failWith('SQLITE_IOERR: disk I/O error');

    clock.advanceBy(1_000);
    // Expired in memory, with its event on the way to the failing store.
    expect(runtime.get(id)?.state).toBe('expired');
    await expect(runtime.settled(id)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(runtime.get(id)?.state).toBe('pending');

    store.recover();
    // The deadline has passed, so the elicitation supervised again expires at the next firing.
    clock.advanceBy(0);
    const settled = await runtime.settled(id);
    expect(settled.state).toBe('expired');
    expect((await readAll(store)).map((event) => [event.position, event.type])).toEqual([
      [1, 'elicitation.requested'],
      [2, 'elicitation.expired'],
    ]);
    await runtime.stop();
  });

  it('refuses new requests with OVERLOADED while the store fails', async () => {
    const { store, runtime } = await setUp();
    store.failWith('SQLITE_IOERR: disk I/O error');
    const first = runtime.request({ from: 'alice', to: 'bob', message: 'One', schema, timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 15));

    await expect(runtime.request({ from: 'alice', to: 'bob', message: 'Two', schema, timeoutMs: 60_000 })).rejects.toMatchObject({ code: 'OVERLOADED' });
    await expect(first).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await runtime.stop();
  });

  it('takes commands again once the store recovers', async () => {
    const { store, runtime } = await setUp();
    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 60_000 });
    store.failWith('SQLITE_IOERR: disk I/O error');
    await expect(runtime.accept({ id, agent: 'bob', content: { approved: false } })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });

    store.recover();
    const answered = await runtime.accept({ id, agent: 'bob', content: { approved: true } });

    expect(answered.state).toBe('answered');
    expect(answered.state === 'answered' && answered.content).toEqual({ approved: true });
    const events = await readAll(store);
    expect(events.map((event) => event.type)).toEqual(['elicitation.requested', 'elicitation.answered']);
    expect(events.map((event) => event.position)).toEqual([1, 2]);
    await runtime.stop();
  });

  it('keeps the log replayable after a failed batch', async () => {
    const { store, clock, runtime } = await setUp();
    const kept = await runtime.request({ from: 'alice', to: 'bob', message: 'Kept', schema, timeoutMs: 1_000 });
    store.failWith('SQLITE_FULL: database or disk is full');
    const lost = runtime.request({ from: 'alice', to: 'carol', message: 'Lost', schema, timeoutMs: 1_000 });
    await expect(lost).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });

    store.recover();
    clock.advanceBy(1_000);
    await runtime.settled(kept.id);
    await runtime.stop();

    const replayed = await replay(await readAll(store));
    expect([...replayed.all()].map((record) => [record.id, record.state])).toEqual([[kept.id, 'expired']]);
    expect(replayed.counts()).toEqual({ pending: 0, answered: 0, rejected: 0, expired: 1 });
  });
});
