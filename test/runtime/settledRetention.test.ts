/**
 * Keeping fewer settled elicitations in memory than the log contains (`limits.maxSettledInMemory`).
 * The oldest are dropped once durable and read back from the store when named. So every
 * command and lookup has the outcome it would have had with all of them in memory.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createElicitationRuntime, isElicitationError, MemoryEventStore, SimulatedClock, type ElicitationRuntime, type ElicitationSnapshot } from '../../src/index.js';
import { SettledRetention } from '../../src/runtime/settledRetention.js';
import { SqliteEventStore, ThreadedSqliteEventStore } from '../../src/store/sqliteEventStore.js';
import { requested } from '../support/storeEvents.js';

const start = Date.UTC(2026, 0, 1);
const schema = { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] };
const folders: string[] = [];

function storeFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'elicit-retention-'));
  folders.push(folder);
  return join(folder, 'store.db');
}

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function runtimeOn(store: SqliteEventStore | ThreadedSqliteEventStore | MemoryEventStore, maxSettledInMemory?: number): Promise<ElicitationRuntime> {
  return createElicitationRuntime({ store, clock: new SimulatedClock(start), security: { level: 'off' }, ...(maxSettledInMemory === undefined ? {} : { limits: { maxSettledInMemory } }) });
}

async function answeredElicitations(runtime: ElicitationRuntime, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: `Deploy ${index}?`, schema, timeoutMs: 60_000 });
    await runtime.accept({ id, agent: 'bob', content: { approved: index % 2 === 0 } });
    ids.push(id);
  }
  return ids;
}

async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    return isElicitationError(error) ? error.code : String(error);
  }
}

describe('settled elicitations kept in memory', () => {
  it('keeps only the most recently settled', async () => {
    const runtime = await runtimeOn(new SqliteEventStore(':memory:'), 2);
    const ids = await answeredElicitations(runtime, 5);
    const pending = await runtime.request({ from: 'alice', to: 'bob', message: 'Still open?', schema, timeoutMs: 60_000 });

    expect([...runtime.elicitations()].map((elicitation) => elicitation.id)).toEqual([ids[3], ids[4], pending.id]);
    await runtime.stop();
  });

  it('dropped elicitation reads back unchanged', async () => {
    const runtime = await runtimeOn(new SqliteEventStore(':memory:'), 1);
    const [first] = await answeredElicitations(runtime, 1);
    const inMemory = runtime.get(first!);
    await answeredElicitations(runtime, 3);

    expect([...runtime.elicitations()].some((elicitation) => elicitation.id === first)).toBe(false);
    expect(runtime.get(first!)).toEqual(inMemory);
    expect(await runtime.settled(first!)).toEqual(inMemory);
    await runtime.stop();
  });

  it('dropped elicitation refuses commands alike', async () => {
    const runtime = await runtimeOn(new ThreadedSqliteEventStore(storeFile()), 0);
    const [id] = await answeredElicitations(runtime, 1);

    expect(await errorCodeOf(runtime.accept({ id: id!, agent: 'bob', content: { approved: true } }))).toBe('ALREADY_SETTLED');
    expect(await errorCodeOf(runtime.decline({ id: id!, agent: 'mallory' }))).toBe('UNAUTHORIZED');
    expect(await errorCodeOf(runtime.withdraw({ id: id!, agent: 'alice' }))).toBe('ALREADY_SETTLED');
    expect(await errorCodeOf(runtime.accept({ id: '01890000-0000-7000-8000-000000000000', agent: 'bob', content: { approved: true } }))).toBe('NOT_FOUND');
    await runtime.stop();
  });

  it('dropped elicitation unavailable after stop', async () => {
    const runtime = await runtimeOn(new SqliteEventStore(':memory:'), 0);
    const [id] = await answeredElicitations(runtime, 1);
    await runtime.stop();

    expect(() => runtime.get(id!)).toThrow(expect.objectContaining({ code: 'STORE_UNAVAILABLE' }));
  });

  it('settled after stop rejects', async () => {
    const runtime = await runtimeOn(new SqliteEventStore(':memory:'), 0);
    const [id] = await answeredElicitations(runtime, 1);
    await runtime.stop();

    let outcome: Promise<unknown> | undefined;
    expect(() => (outcome = runtime.settled(id!))).not.toThrow();
    expect(await errorCodeOf(outcome!)).toBe('STORE_UNAVAILABLE');
  });

  it('non-string id reads nothing', async () => {
    const runtime = await runtimeOn(new SqliteEventStore(':memory:'), 0);
    await runtime.stop();

    expect(runtime.get({} as unknown as string)).toBeUndefined();
  });

  it('pending only in the store is unavailable', async () => {
    const store = new SqliteEventStore(':memory:');
    const runtime = await runtimeOn(store, 0);
    // A request the log contains but this runtime does not, as after a write it undid although the file kept it.
    store.append([requested('01890000-0000-7000-8000-0000000000aa', start)]);

    expect(() => runtime.get('01890000-0000-7000-8000-0000000000aa')).toThrow(expect.objectContaining({ code: 'STORE_UNAVAILABLE' }));
    expect(await errorCodeOf(runtime.accept({ id: '01890000-0000-7000-8000-0000000000aa', agent: 'bob', content: { approved: true } }))).toBe('STORE_UNAVAILABLE');
    await runtime.stop();
  });

  it('applies the limit while recovering', async () => {
    const path = storeFile();
    const first = await runtimeOn(new SqliteEventStore(path));
    const ids = await answeredElicitations(first, 6);
    const pending = await first.request({ from: 'alice', to: 'bob', message: 'Still open?', schema, timeoutMs: 60_000 });
    await first.stop();

    const second = await runtimeOn(new SqliteEventStore(path), 2);

    expect([...second.elicitations()].map((elicitation) => elicitation.id)).toEqual([ids[4], ids[5], pending.id]);
    expect(second.get(ids[0]!)?.state).toBe('answered');
    expect(second.pending('bob').map((elicitation) => elicitation.id)).toEqual([pending.id]);
    await second.stop();
  });

  it('memory store is refused', async () => {
    const error = await errorCodeOf(runtimeOn(new MemoryEventStore(), 10));

    expect(error).toBe('INVALID_REQUEST');
  });

  it.each([-1, 1.5, Number.NaN])('refuses a limit of %s', async (limit) => {
    const store = new SqliteEventStore(':memory:');

    expect(await errorCodeOf(runtimeOn(store, limit))).toBe('INVALID_REQUEST');
    store.close();
  });
});

describe('SettledRetention', () => {
  it('drops the oldest first', () => {
    fc.assert(
      fc.property(fc.nat(5), fc.integer({ min: 0, max: 3000 }), (limit, count) => {
        const forgotten: string[] = [];
        const retention = new SettledRetention(limit, (id) => forgotten.push(id));
        const ids = Array.from({ length: count }, (_, index) => `e${index}`);
        for (const id of ids) retention.settled(id as never);

        expect(forgotten).toEqual(ids.slice(0, Math.max(0, count - limit)));
        expect(retention.size).toBe(Math.min(count, limit));
      }),
      { numRuns: 60 },
    );
  });
});

type Agent = 'alice' | 'bob' | 'mallory';

type Operation =
  | { readonly kind: 'request'; readonly timeoutMs: number }
  | { readonly kind: 'accept' | 'decline' | 'cancel' | 'withdraw'; readonly target: number; readonly agent: Agent; readonly approved: boolean | 'invalid' }
  | { readonly kind: 'advance'; readonly ms: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('request' as const), timeoutMs: fc.integer({ min: 1, max: 200 }) }),
  fc.record({
    kind: fc.constantFrom('accept' as const, 'decline' as const, 'cancel' as const, 'withdraw' as const),
    target: fc.nat(30),
    agent: fc.constantFrom<Agent>('alice', 'bob', 'mallory'),
    approved: fc.constantFrom<boolean | 'invalid'>(true, false, 'invalid'),
  }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 150 }) }),
);

/** Returns `snapshot` with its random ids replaced by the index of its request, so that two runtimes compare. */
function comparable(snapshot: ElicitationSnapshot | undefined, indexOf: Map<string, number>): unknown {
  if (snapshot === undefined) return undefined;
  const { id, requestedEventId, correlationId, ...rest } = snapshot;
  return { ...rest, request: indexOf.get(id), hasEventIds: requestedEventId.length > 0 && correlationId.length > 0 };
}

class Subject {
  readonly ids: string[] = [];
  readonly indexOf = new Map<string, number>();

  constructor(readonly runtime: ElicitationRuntime, readonly clock: SimulatedClock) {}

  async run(step: Operation): Promise<unknown> {
    const { runtime } = this;
    try {
      switch (step.kind) {
        case 'request': {
          const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'Go?', schema, timeoutMs: step.timeoutMs });
          this.indexOf.set(id, this.ids.length);
          this.ids.push(id);
          return { requested: this.ids.length - 1 };
        }
        case 'advance':
          this.clock.advanceBy(step.ms);
          return 'advanced';
        default: {
          const id = this.ids[step.target] ?? '01890000-0000-7000-8000-000000000000';
          const content = step.approved === 'invalid' ? { approved: 'yes' } : { approved: step.approved };
          const outcome =
            step.kind === 'accept'
              ? runtime.accept({ id, agent: step.agent, content })
              : step.kind === 'withdraw'
                ? runtime.withdraw({ id, agent: step.agent })
                : runtime[step.kind]({ id, agent: step.agent });
          return comparable(await outcome, this.indexOf);
        }
      }
    } catch (error) {
      return { code: isElicitationError(error) ? error.code : String(error) };
    }
  }

  everyElicitation(): unknown[] {
    return this.ids.map((id) => comparable(this.runtime.get(id), this.indexOf));
  }
}

/** Stores for the differential property: one that commits in place, and one that commits every batch on its writer thread. */
const differentialStores: Array<[string, () => SqliteEventStore | ThreadedSqliteEventStore, number]> = [
  ['SqliteEventStore', () => new SqliteEventStore(':memory:'), 80],
  ['ThreadedSqliteEventStore', () => new ThreadedSqliteEventStore(storeFile(), { inlineBatchLimit: 0 }), 30],
];

describe.each(differentialStores)('a runtime with few settled elicitations in memory on %s', (_name, openStore, numRuns) => {
  it('matches a runtime without limit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(3), fc.array(operation, { maxLength: 60 }), async (limit, operations) => {
        const allClock = new SimulatedClock(start);
        const fewClock = new SimulatedClock(start);
        const all = new Subject(await createElicitationRuntime({ store: openStore(), clock: allClock, security: { level: 'off' } }), allClock);
        const few = new Subject(await createElicitationRuntime({ store: openStore(), clock: fewClock, security: { level: 'off' }, limits: { maxSettledInMemory: limit } }), fewClock);
        try {
          for (const step of operations) {
            expect(await few.run(step)).toEqual(await all.run(step));
          }
          expect(few.everyElicitation()).toEqual(all.everyElicitation());
          // An elicitation leaves memory once its terminal event is durable; an expiry just fired may not be yet.
          await Promise.all(few.ids.filter((id) => few.runtime.get(id)?.state !== 'pending').map((id) => few.runtime.settled(id)));
          const settledInMemory = [...few.runtime.elicitations()].filter((elicitation) => elicitation.state !== 'pending');
          expect(settledInMemory.length).toBeLessThanOrEqual(limit);
        } finally {
          await all.runtime.stop();
          await few.runtime.stop();
        }
      }),
      { numRuns },
    );
  });
});
