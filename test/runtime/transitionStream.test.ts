/**
 * The event log's outputs through the public API: `transitions$` as a multicast of durable
 * events, and `settled` on an elicitation whose final event is still being written.
 */
import { describe, expect, it } from 'vitest';
import { createElicitationRuntime, MemoryEventStore, SimulatedClock, type DomainEvent } from '../../src/index.js';

const schema = { type: 'object' };
const start = Date.UTC(2026, 0, 1);

async function setUp() {
  const store = new MemoryEventStore();
  const clock = new SimulatedClock(start);
  const runtime = await createElicitationRuntime({ store, clock });
  return { store, clock, runtime };
}

function request(runtime: Awaited<ReturnType<typeof setUp>>['runtime'], message: string, timeoutMs = 60_000) {
  return runtime.request({ from: 'alice', to: 'bob', message, schema, timeoutMs });
}

describe('transitions$', () => {
  it('every subscriber gets each event once, in order', async () => {
    const { runtime } = await setUp();
    const first: number[] = [];
    const second: number[] = [];
    runtime.transitions$.subscribe((event) => first.push(event.position));
    runtime.transitions$.subscribe((event) => second.push(event.position));

    const { id } = await request(runtime, 'One');
    await request(runtime, 'Two');
    await runtime.accept({ id, agent: 'bob', content: {} });

    expect(first).toEqual([1, 2, 3]);
    expect(second).toEqual([1, 2, 3]);
    await runtime.stop();
  });

  it('subscriber leaving mid-emission stops at once', async () => {
    const { runtime } = await setUp();
    const leaving: string[] = [];
    const staying: string[] = [];
    const subscription = runtime.transitions$.subscribe((event) => {
      leaving.push(event.type);
      subscription.unsubscribe();
    });
    runtime.transitions$.subscribe((event) => staying.push(event.type));

    const { id } = await request(runtime, 'One');
    await runtime.decline({ id, agent: 'bob' });

    expect(leaving).toEqual(['elicitation.requested']);
    expect(staying).toEqual(['elicitation.requested', 'elicitation.rejected']);
    await runtime.stop();
  });

  it('subscriber joining mid-emission starts at the next event', async () => {
    const { runtime } = await setUp();
    const late: DomainEvent[] = [];
    let joined = false;
    runtime.transitions$.subscribe(() => {
      if (joined) return;
      joined = true;
      runtime.transitions$.subscribe((event) => late.push(event));
    });

    await request(runtime, 'One');
    await request(runtime, 'Two');

    expect(late.map((event) => event.position)).toEqual([2]);
    await runtime.stop();
  });
});

describe('settled() while the final event is being written', () => {
  it('waits until the expired event is stored', async () => {
    const { store, clock, runtime } = await setUp();
    const { id } = await request(runtime, 'One', 1_000);

    clock.advanceBy(1_000);
    expect(runtime.get(id)?.state).toBe('expired');
    expect(store.lastPosition()).toBe(1);

    const settled = await runtime.settled(id);
    expect(settled.state).toBe('expired');
    expect(store.lastPosition()).toBe(2);
    await runtime.stop();
  });

  it('answer in flight resolves every caller alike', async () => {
    const { store, runtime } = await setUp();
    const { id } = await request(runtime, 'One');

    const accepted = runtime.accept({ id, agent: 'bob', content: { approved: true } });
    const settledDuring = runtime.settled(id);
    expect(store.lastPosition()).toBe(1);

    const [fromAccept, fromSettled] = await Promise.all([accepted, settledDuring]);
    expect(fromAccept).toBe(fromSettled);
    expect(fromSettled.state).toBe('answered');
    expect(store.lastPosition()).toBe(2);
    await runtime.stop();
  });
});

describe('durability async', () => {
  it('acknowledges commands before their events are stored', async () => {
    const store = new MemoryEventStore();
    const runtime = await createElicitationRuntime({ store, clock: new SimulatedClock(start), durability: 'async' });
    const stored: string[] = [];
    runtime.transitions$.subscribe((event) => stored.push(event.type));

    const { id } = await request(runtime, 'One');
    const answered = await runtime.accept({ id, agent: 'bob', content: { approved: true } });
    expect(answered.state).toBe('answered');
    expect(store.lastPosition()).toBe(0);

    // `settled` still waits for the final event to be durable.
    const settled = await runtime.settled(id);
    expect(settled.state).toBe('answered');
    expect(store.lastPosition()).toBe(2);
    expect(stored).toEqual(['elicitation.requested', 'elicitation.answered']);
    await runtime.stop();
  });
});
