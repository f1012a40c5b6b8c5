/**
 * Tests of what the threaded SQLite store adds to the store contract, which eventStores.test.ts
 * checks. Small batches commit on the calling thread and large ones on a worker thread, in call
 * order. Those commits are seen by other connections, and its positions stay gap-free across
 * concurrent and failed appends. It closes cleanly, and its host can still exit.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createElicitationRuntime, SimulatedClock } from '../../src/index.js';
import type { DomainEvent } from '../../src/store/domainEvent.js';
import { readAll } from '../../src/store/eventStore.js';
import { SqliteEventStore } from '../../src/store/sqliteEventStore.js';
import { ThreadedSqliteEventStore } from '../../src/store/threadedSqliteEventStore.js';
import { answered, positionsOf, requested, startTime, temporaryDatabases } from '../support/storeEvents.js';

const temporaryDatabasePath = temporaryDatabases();

/** Sends every batch to the writer thread, which the tests of the thread's own behaviour need. */
const everyBatchOnThread = { inlineBatchLimit: 0 };

/** Reads the file through a store on the main thread, as recovery or `elicit events` would. */
async function readWithMainThreadStore(path: string): Promise<DomainEvent[]> {
  const store = new SqliteEventStore(path);
  try {
    return await readAll(store);
  } finally {
    store.close();
  }
}

/** Returns the position, elicitation and version of each event in the file, read on the main thread. */
async function storedVersions(path: string): Promise<Array<[number, string | null, number | null]>> {
  return (await readWithMainThreadStore(path)).map((event) => [event.position, event.elicitationId, event.version]);
}

/** The log after requested events for q1, q2 and q3, then answered events for q1 and q2. */
const threeRequestsThenTwoAnswers = [
  [1, 'q1', 1],
  [2, 'q2', 1],
  [3, 'q3', 1],
  [4, 'q1', 2],
  [5, 'q2', 2],
];

describe('threaded SQLite event store', () => {
  it('acknowledged batch is visible to another connection', async () => {
    const path = temporaryDatabasePath();
    const store = new ThreadedSqliteEventStore(path, everyBatchOnThread);

    const stored = await store.append([requested('q1'), answered('q1')]);
    const seen = await readWithMainThreadStore(path);
    await store.close();

    expect(seen).toEqual(stored);
  });

  it('failed batch stores nothing and leaves no gap', async () => {
    const path = temporaryDatabasePath();
    const store = new ThreadedSqliteEventStore(path, everyBatchOnThread);
    await store.append([requested('q1')]);

    // The second answered event repeats version 2 of q1, so the unique index rolls the whole batch back.
    await expect(store.append([requested('q2'), answered('q1'), answered('q1')])).rejects.toMatchObject({ name: 'SqliteWriteError', sqliteCode: 'SQLITE_CONSTRAINT_UNIQUE' });
    const next = await store.append([answered('q1')]);
    await store.close();

    expect(positionsOf(next)).toEqual([2]);
    expect(positionsOf(await readWithMainThreadStore(path))).toEqual([1, 2]);
  });

  it('concurrent appends get positions in call order', async () => {
    const path = temporaryDatabasePath();
    const store = new ThreadedSqliteEventStore(path, everyBatchOnThread);

    const batches = await Promise.all([store.append([requested('q1'), requested('q2')]), store.append([requested('q3')]), store.append([answered('q1'), answered('q2')])]);
    await store.close();

    expect(batches.map(positionsOf)).toEqual([[1, 2], [3], [4, 5]]);
    expect(await storedVersions(path)).toEqual(threeRequestsThenTwoAnswers);
  });

  it('failure in a queue of appends fails only its own batch', async () => {
    const path = temporaryDatabasePath();
    const store = new ThreadedSqliteEventStore(path, everyBatchOnThread);

    const outcomes = await Promise.allSettled([store.append([requested('q1')]), store.append([requested('q1')]), store.append([requested('q2')])]);
    await store.close();

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[2]?.status === 'fulfilled' ? positionsOf(outcomes[2].value) : undefined).toEqual([2]);
    expect(positionsOf(await readWithMainThreadStore(path))).toEqual([1, 2]);
  });

  it('close waits for the append in flight', async () => {
    const path = temporaryDatabasePath();
    const store = new ThreadedSqliteEventStore(path, everyBatchOnThread);

    const appended = store.append([requested('q1')]);
    await store.close();

    expect(positionsOf(await appended)).toEqual([1]);
    expect(positionsOf(await readWithMainThreadStore(path))).toEqual([1]);
  });

  it('reopened file continues positions', async () => {
    const path = temporaryDatabasePath();
    const first = new ThreadedSqliteEventStore(path);
    await first.append([requested('q1'), requested('q2')]);
    await first.close();

    const reopened = new ThreadedSqliteEventStore(path);
    const next = await reopened.append([answered('q2', startTime + 7)]);

    expect(positionsOf(next)).toEqual([3]);
    expect(reopened.lastPosition()).toBe(3);
    expect(reopened.lastTime()).toBe(startTime + 7);
    await reopened.close();
  });

  it('small batch commits on the calling thread', () => {
    const path = temporaryDatabasePath();
    const store = new ThreadedSqliteEventStore(path, { inlineBatchLimit: 2 });

    const stored = store.append([requested('q1'), requested('q2')]);

    expect(stored).not.toBeInstanceOf(Promise);
    expect(positionsOf(stored as readonly DomainEvent[])).toEqual([1, 2]);
    return store.close();
  });

  it('small batch waits behind large', async () => {
    const path = temporaryDatabasePath();
    const store = new ThreadedSqliteEventStore(path, { inlineBatchLimit: 2 });

    const large = store.append([requested('q1'), requested('q2'), requested('q3')]);
    const small = store.append([answered('q1')]);
    const smallAfterwards = await small;
    const largeStored = await large;
    const inlineAgain = store.append([answered('q2')]);
    await store.close();

    expect(large).toBeInstanceOf(Promise);
    expect(small).toBeInstanceOf(Promise);
    expect(positionsOf(largeStored)).toEqual([1, 2, 3]);
    expect(positionsOf(smallAfterwards)).toEqual([4]);
    expect(positionsOf(inlineAgain as readonly DomainEvent[])).toEqual([5]);
    expect(await storedVersions(path)).toEqual(threeRequestsThenTwoAnswers);
  });

  it('failed small batch throws and leaves no gap', async () => {
    const path = temporaryDatabasePath();
    const store = new ThreadedSqliteEventStore(path);
    store.append([requested('q1')]);

    expect(() => store.append([requested('q2'), requested('q1')])).toThrow(expect.objectContaining({ code: 'SQLITE_CONSTRAINT_UNIQUE' }));
    const next = store.append([requested('q2')]);
    await store.close();

    expect(positionsOf(next as readonly DomainEvent[])).toEqual([2]);
    expect(positionsOf(await readWithMainThreadStore(path))).toEqual([1, 2]);
  });

  it('open read does not block appends', async () => {
    const path = temporaryDatabasePath();
    const store = new ThreadedSqliteEventStore(path);
    store.append([requested('q1')]);

    const reading = store.read()[Symbol.iterator]();
    const first = reading.next();
    const appended = store.append([requested('q2')]);
    reading.return?.();
    await store.close();

    expect(first.value).toMatchObject({ position: 1 });
    expect(positionsOf(appended as readonly DomainEvent[])).toEqual([2]);
  });

  it('dead writer thread rejects appends', async () => {
    const path = temporaryDatabasePath();
    const store = new ThreadedSqliteEventStore(path, { inlineBatchLimit: 1 });
    store.append([requested('q1')]);

    // Stands in for a crash of the thread, which the store cannot tell from a lost reply.
    await (store as unknown as { writer: { worker: Worker } }).writer.worker.terminate();
    await new Promise((resolve) => setImmediate(resolve));

    expect(() => store.append([requested('q2')])).toThrow(expect.objectContaining({ code: 'STORE_UNAVAILABLE' }));
    expect(() => store.append([requested('q3'), requested('q4')])).toThrow(expect.objectContaining({ code: 'STORE_UNAVAILABLE' }));
    await store.close();
    expect(positionsOf(await readWithMainThreadStore(path))).toEqual([1]);
  });

  it('small batch queued behind a dead thread fails', async () => {
    const path = temporaryDatabasePath();
    const store = new ThreadedSqliteEventStore(path, { inlineBatchLimit: 1 });
    const worker = (store as unknown as { writer: { worker: Worker } }).writer.worker;

    const large = store.append([requested('q1'), requested('q2')]);
    const queued = store.append([requested('q3')]);
    await worker.terminate();
    const outcomes = await Promise.allSettled([large, queued]);
    await store.close();

    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { code: 'STORE_UNAVAILABLE' } });
    expect(positionsOf(await readWithMainThreadStore(path)).includes(3)).toBe(false);
  });

  it('invalid inline limit throws', () => {
    const path = temporaryDatabasePath();

    for (const inlineBatchLimit of [-1, 1.5, Number.NaN]) {
      expect(() => new ThreadedSqliteEventStore(path, { inlineBatchLimit })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    }
    // A string from a configuration file is quoted in the message, so the reader sees why it is invalid.
    expect(() => new ThreadedSqliteEventStore(path, { inlineBatchLimit: '8' as unknown as number })).toThrow(/but got "8"/);
  });

  it('in-memory path is refused', () => {
    expect(() => new ThreadedSqliteEventStore(':memory:')).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  it('runtime on it recovers on a main-thread store', async () => {
    const path = temporaryDatabasePath();
    const clock = new SimulatedClock(startTime);
    const schema = { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] };
    const first = await createElicitationRuntime({ store: new ThreadedSqliteEventStore(path), clock });
    const answeredOne = await first.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 30_000 });
    const pendingOne = await first.request({ from: 'alice', to: 'carol', message: 'Roll back?', schema, timeoutMs: 60_000 });
    await first.accept({ id: answeredOne.id, agent: 'bob', content: { approved: true } });
    await first.stop();

    const second = await createElicitationRuntime({ store: new SqliteEventStore(path), clock });

    expect(second.get(answeredOne.id)).toMatchObject({ state: 'answered', content: { approved: true } });
    expect(second.get(pendingOne.id)).toMatchObject({ state: 'pending', deadline: startTime + 60_000 });
    await second.stop();
  });

  // Each case ends with the store still open and idle: the process must exit on its own.
  const idleStoreCases = [
    { name: 'store never written', options: '{}', append: false, expected: 'idle' },
    { name: 'inline appends only', options: '{}', append: true, expected: 'stored 1' },
    { name: 'appends on the thread', options: '{ inlineBatchLimit: 0 }', append: true, expected: 'stored 1' },
  ];

  it.each(idleStoreCases)('idle store lets the host exit: $name', ({ options, append, expected }) => {
    // Uses the built package, as a host would; `npm test` builds it first.
    const storeModule = join(import.meta.dirname, '../../dist/store/sqliteEventStore.js');
    const script = `
      const { ThreadedSqliteEventStore } = await import(${JSON.stringify(storeModule)});
      const store = new ThreadedSqliteEventStore(${JSON.stringify(temporaryDatabasePath())}, ${options});
      if (${append}) {
        const stored = await store.append([{ eventId: 'e1', type: 'security.refused', elicitationId: null, version: null, time: 1, causationId: 'c', correlationId: 'c', data: {} }]);
        console.log('stored', stored[0].position);
      } else {
        console.log('idle');
      }
    `;

    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });

    expect(child.error).toBeUndefined();
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe(expected);
    expect(child.status).toBe(0);
  });
});
