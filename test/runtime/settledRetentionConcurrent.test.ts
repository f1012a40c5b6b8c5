/**
 * Commands fired without waiting for each other give the same outcomes, the same final
 * snapshots and the same log on a runtime with `limits.maxSettledInMemory` as on one without,
 * at every security level and both durabilities. Tokens, refusal audit events and their
 * correlation ids are compared too.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createElicitationRuntime, isElicitationError, readAll, SimulatedClock, type ElicitationRuntime, type ElicitationSnapshot } from '../../src/index.js';
import type { DomainEvent } from '../../src/store/domainEvent.js';
import { SqliteEventStore, ThreadedSqliteEventStore } from '../../src/store/sqliteEventStore.js';

const start = Date.UTC(2026, 0, 1);
const schema = { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] };
const secret = 'a-test-secret-of-enough-bytes-0123456789';
const unknownId = '01890000-0000-7000-8000-000000000000';
const folders: string[] = [];

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function storeFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'elicit-retention-concurrent-'));
  folders.push(folder);
  return join(folder, 'store.db');
}

type Agent = 'alice' | 'bob' | 'mallory';

type Step =
  | { readonly kind: 'request'; readonly timeoutMs: number }
  | { readonly kind: 'accept' | 'decline' | 'cancel' | 'withdraw'; readonly target: number; readonly agent: Agent; readonly token: 'good' | 'bad' | 'none'; readonly approved: boolean | 'invalid' }
  | { readonly kind: 'get' | 'settled' | 'issueToken'; readonly target: number }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'turn' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('request' as const), timeoutMs: fc.integer({ min: 1, max: 200 }) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constantFrom('accept' as const, 'decline' as const, 'cancel' as const, 'withdraw' as const),
      target: fc.nat(8),
      agent: fc.constantFrom<Agent>('alice', 'bob', 'bob', 'mallory'),
      token: fc.constantFrom('good' as const, 'good' as const, 'bad' as const, 'none' as const),
      approved: fc.constantFrom<boolean | 'invalid'>(true, false, 'invalid'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('get' as const, 'settled' as const, 'issueToken' as const), target: fc.nat(8) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 150 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('turn' as const) }) },
);

/** Returns `snapshot` with its random ids replaced by the index of its request, so that two runtimes compare. */
function comparable(snapshot: ElicitationSnapshot | undefined, indexOf: Map<string, number>): unknown {
  if (snapshot === undefined) return 'undefined';
  const { id, requestedEventId, correlationId, ...rest } = snapshot;
  return { ...rest, request: indexOf.get(id) };
}

function outcomeOf(value: unknown, indexOf: Map<string, number>): unknown {
  return typeof value === 'object' && value !== null && 'state' in value ? comparable(value as ElicitationSnapshot, indexOf) : value;
}

function codeOf(error: unknown): unknown {
  return isElicitationError(error) ? { code: error.code } : { thrown: String(error) };
}

/** Runs `make` and settles with its value or its error code, also when it throws at once. */
function settle(make: () => Promise<unknown>, indexOf: Map<string, number>): Promise<unknown> {
  let promise: Promise<unknown>;
  try {
    promise = make();
  } catch (error) {
    return Promise.resolve({ threwAtOnce: codeOf(error) });
  }
  return promise.then((value) => outcomeOf(value, indexOf), codeOf);
}

interface Run {
  readonly outcomes: unknown[];
  readonly finals: unknown[];
  readonly log: unknown[];
}

/** Fires `steps` at a runtime without awaiting commands, except requests, whose ids later steps name. */
async function runSteps(openStore: (path: string) => SqliteEventStore | ThreadedSqliteEventStore, options: { level: 'off' | 'standard' | 'strict'; durability: 'sync' | 'async'; maxSettledInMemory: number | undefined }, steps: readonly Step[]): Promise<Run> {
  const path = storeFile();
  const clock = new SimulatedClock(start);
  const runtime: ElicitationRuntime = await createElicitationRuntime({
    store: openStore(path),
    clock,
    durability: options.durability,
    security: { level: options.level, secret, rateLimits: { requests: { perMinute: 600, burst: 30 }, responses: { perMinute: 600, burst: 30 } } },
    ...(options.maxSettledInMemory === undefined ? {} : { limits: { maxSettledInMemory: options.maxSettledInMemory } }),
  });
  const ids: string[] = [];
  const tokens: (string | undefined)[] = [];
  const indexOf = new Map<string, number>();
  const outcomes: Promise<unknown>[] = [];

  for (const next of steps) {
    switch (next.kind) {
      case 'request': {
        try {
          const { id, responseToken } = await runtime.request({ from: 'alice', to: 'bob', message: 'Go?', schema, timeoutMs: next.timeoutMs });
          indexOf.set(id, ids.length);
          ids.push(id);
          tokens.push(responseToken);
          outcomes.push(Promise.resolve({ requested: ids.length - 1 }));
        } catch (error) {
          outcomes.push(Promise.resolve(codeOf(error)));
        }
        break;
      }
      case 'advance':
        clock.advanceBy(next.ms);
        outcomes.push(Promise.resolve('advanced'));
        break;
      case 'turn':
        await new Promise((resolve) => setImmediate(resolve));
        outcomes.push(Promise.resolve('turn'));
        break;
      case 'get': {
        const id = ids[next.target] ?? unknownId;
        outcomes.push(settle(async () => runtime.get(id) ?? 'undefined', indexOf));
        break;
      }
      case 'settled': {
        const id = ids[next.target] ?? unknownId;
        outcomes.push(settle(() => runtime.settled(id), indexOf));
        break;
      }
      case 'issueToken': {
        const id = ids[next.target] ?? unknownId;
        outcomes.push(settle(async () => (runtime.issueResponseToken(id) === undefined ? 'no token' : 'token'), indexOf));
        break;
      }
      default: {
        const id = ids[next.target] ?? unknownId;
        let token: string | undefined;
        if (next.token === 'good') token = tokens[next.target];
        else if (next.token === 'bad') token = 'k1.AAAA.AAAA';
        const input = { id, agent: next.agent, ...(token === undefined ? {} : { token }) };
        const content = next.approved === 'invalid' ? { approved: 'yes' } : { approved: next.approved };
        const kind = next.kind;
        outcomes.push(settle(() => (kind === 'accept' ? runtime.accept({ ...input, content }) : kind === 'withdraw' ? runtime.withdraw(input) : runtime[kind](input)), indexOf));
      }
    }
  }
  // Expires whatever is still pending, so that no `settled` step waits for ever.
  clock.advanceBy(1_000);
  const settledOutcomes = await Promise.all(outcomes);
  const finals = ids.map((id) => comparable(runtime.get(id), indexOf));
  // Stopping writes every queued event, also under `async` durability.
  await runtime.stop();

  const stored = new SqliteEventStore(path);
  const log = normalizedLog(await readAll(stored), indexOf);
  stored.close();
  return { outcomes: settledOutcomes, finals, log };
}

/** Returns the log with random ids replaced by request indexes, and each refusal's correlation id by the request it belongs to. */
function normalizedLog(events: readonly DomainEvent[], indexOf: Map<string, number>): unknown[] {
  const requestOfCorrelation = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'elicitation.requested') requestOfCorrelation.set(event.correlationId, indexOf.get(event.elicitationId) ?? -1);
  }
  return events.map((event) => {
    if (event.type !== 'security.refused') return { type: event.type, request: indexOf.get(event.elicitationId!), version: event.version };
    const { code, agent, command, elicitationId } = event.data;
    return {
      type: event.type,
      code,
      agent,
      command,
      elicitation: elicitationId === undefined ? undefined : (indexOf.get(elicitationId) ?? 'unknown'),
      correlatesWith: requestOfCorrelation.get(event.correlationId) ?? 'own',
    };
  });
}

const stores: Array<[string, (path: string) => SqliteEventStore | ThreadedSqliteEventStore, number]> = [
  ['SqliteEventStore', (path) => new SqliteEventStore(path), 40],
  ['ThreadedSqliteEventStore, every batch on the writer thread', (path) => new ThreadedSqliteEventStore(path, { inlineBatchLimit: 0 }), 20],
];

describe.each(stores)('concurrent commands with few settled in memory on %s', (_name, openStore, numRuns) => {
  it('match a runtime without limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 1, 2),
        fc.constantFrom('off' as const, 'standard' as const, 'strict' as const),
        fc.constantFrom('sync' as const, 'async' as const),
        fc.array(step, { minLength: 10, maxLength: 60 }),
        async (limit, level, durability, steps) => {
          const all = await runSteps(openStore, { level, durability, maxSettledInMemory: undefined }, steps);
          const few = await runSteps(openStore, { level, durability, maxSettledInMemory: limit }, steps);

          expect(few.outcomes).toEqual(all.outcomes);
          expect(few.finals).toEqual(all.finals);
          expect(few.log).toEqual(all.log);
        },
      ),
      { numRuns },
    );
  });
});
