/**
 * The event store contract, run on the memory store and on both SQLite stores: positions
 * from 1, gap-free and increasing, all-or-nothing batches, reads in position order, and
 * appends while a read is open.
 * The SQLite stores also read one elicitation's events back, and keep the log across a
 * close and a reopen.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isElicitationError } from '../../src/runtime/errors.js';
import type { DomainEvent, UnstoredEvent } from '../../src/store/domainEvent.js';
import { readAll, type EventStore } from '../../src/store/eventStore.js';
import { MemoryEventStore } from '../../src/store/memoryEventStore.js';
import { SqliteEventStore } from '../../src/store/sqliteEventStore.js';
import { ThreadedSqliteEventStore } from '../../src/store/threadedSqliteEventStore.js';
import { answered, positionsOf, refused, requested, startTime, temporaryDatabases } from '../support/storeEvents.js';

const temporaryDatabasePath = temporaryDatabases();

/** Appends `events` and returns the error it threw, or `undefined` when it stored them. */
async function appendError(store: EventStore, events: readonly UnstoredEvent[]): Promise<unknown> {
  try {
    await store.append(events);
    return undefined;
  } catch (error) {
    return error;
  }
}

const storeKinds: Array<[string, () => EventStore]> = [
  ['memory', () => new MemoryEventStore()],
  ['sqlite', () => new SqliteEventStore(temporaryDatabasePath())],
  ['sqlite in memory', () => new SqliteEventStore(':memory:')],
  ['threaded sqlite', () => new ThreadedSqliteEventStore(temporaryDatabasePath())],
];

describe.each(storeKinds)('%s event store contract', (_kind, openStore) => {
  it('empty store has position zero', async () => {
    const store = openStore();

    expect(await store.lastPosition()).toBe(0);
    expect(await store.lastTime()).toBeUndefined();
    expect(await readAll(store)).toEqual([]);
    await store.close();
  });

  it('append during an open read', async () => {
    const store = openStore();
    await store.append([requested('q1', startTime), requested('q2', startTime)]);

    const seen: number[] = [];
    let appendedMidRead: unknown;
    for await (const event of store.read()) {
      seen.push(event.position);
      if (event.position === 1) appendedMidRead = await store.append([answered('q1', startTime + 1)]);
    }
    await store.close();

    expect(seen.slice(0, 2)).toEqual([1, 2]);
    expect(positionsOf(appendedMidRead as readonly DomainEvent[])).toEqual([3]);
  });

  it('long log reads whole and in order', async () => {
    const store = openStore();
    const ids = Array.from({ length: 2_500 }, (_, index) => `q${index}`);
    await store.append(ids.map((id) => requested(id, startTime)));

    const read = await readAll(store);
    await store.close();

    expect(read).toHaveLength(2_500);
    expect(read.map((event) => event.position)).toEqual(ids.map((_, index) => index + 1));
    expect(read.map((event) => event.elicitationId)).toEqual(ids);
  });

  it('positions start at one', async () => {
    const store = openStore();

    const stored = await store.append([requested('q1', startTime), requested('q2', startTime + 1)]);

    expect(positionsOf(stored)).toEqual([1, 2]);
    expect(await store.lastPosition()).toBe(2);
    await store.close();
  });

  it('positions continue across batches', async () => {
    const store = openStore();

    const first = await store.append([requested('q1', startTime), requested('q2', startTime)]);
    const second = await store.append([answered('q1', startTime + 5)]);
    const third = await store.append([refused(startTime + 6), answered('q2', startTime + 7)]);

    expect(positionsOf(first)).toEqual([1, 2]);
    expect(positionsOf(second)).toEqual([3]);
    expect(positionsOf(third)).toEqual([4, 5]);
    expect(positionsOf(await readAll(store))).toEqual([1, 2, 3, 4, 5]);
    await store.close();
  });

  it('append returns events with positions', async () => {
    const store = openStore();
    const events = [requested('q1', startTime), answered('q1', startTime + 5)];

    const stored = await store.append(events);

    expect(stored).toEqual(events.map((event, index) => ({ ...event, position: index + 1 })));
    await store.close();
  });

  it('read returns events as appended', async () => {
    const store = openStore();
    const events = [requested('q1', startTime), refused(startTime + 1), answered('q1', startTime + 5)];
    const stored = await store.append(events);

    expect(await readAll(store)).toEqual(stored);
    await store.close();
  });

  it('read after skips earlier positions', async () => {
    const store = openStore();
    await store.append([requested('q1', startTime), requested('q2', startTime + 1)]);
    await store.append([answered('q1', startTime + 2), answered('q2', startTime + 3)]);

    expect(positionsOf(await readAll(store, 2))).toEqual([3, 4]);
    expect(positionsOf(await readAll(store, 4))).toEqual([]);
    expect(positionsOf(await readAll(store, 0))).toEqual([1, 2, 3, 4]);
    await store.close();
  });

  it('lastTime is the last event time', async () => {
    const store = openStore();
    await store.append([requested('q1', startTime), answered('q1', startTime + 42)]);

    expect(await store.lastTime()).toBe(startTime + 42);
    await store.close();
  });

  it('empty batch stores nothing', async () => {
    const store = openStore();
    await store.append([requested('q1', startTime)]);

    const stored = await store.append([]);

    expect(stored).toEqual([]);
    expect(await store.lastPosition()).toBe(1);
    await store.close();
  });

  it('duplicate eventId batch stores nothing', async () => {
    const store = openStore();
    const first = requested('q1', startTime);
    await store.append([first]);

    const error = await appendError(store, [requested('q2', startTime + 1), { ...requested('q3', startTime + 2), eventId: first.eventId }]);
    const next = await store.append([requested('q4', startTime + 3)]);

    expect(error).toBeDefined();
    expect(positionsOf(next)).toEqual([2]);
    expect(positionsOf(await readAll(store))).toEqual([1, 2]);
    await store.close();
  });

  it('append after close fails', async () => {
    const store = openStore();
    await store.append([requested('q1', startTime)]);
    await store.close();

    const error = await appendError(store, [requested('q2', startTime + 1)]);

    expect(isElicitationError(error, 'STORE_UNAVAILABLE')).toBe(true);
  });
});

const readBackKinds: Array<[string, () => EventStore & Required<Pick<EventStore, 'readElicitation'>>]> = [
  ['sqlite', () => new SqliteEventStore(temporaryDatabasePath())],
  ['sqlite in memory', () => new SqliteEventStore(':memory:')],
  ['threaded sqlite', () => new ThreadedSqliteEventStore(temporaryDatabasePath())],
];

describe.each(readBackKinds)('%s event store reads one elicitation back', (_kind, openStore) => {
  it('returns events in version order', async () => {
    const store = openStore();
    await store.append([requested('q1', startTime), requested('q2', startTime), refused(startTime + 1)]);
    await store.append([answered('q2', startTime + 2), answered('q1', startTime + 3)]);

    const q1 = store.readElicitation('q1');

    expect(q1.map((event) => [event.type, event.version, event.position])).toEqual([
      ['elicitation.requested', 1, 1],
      ['elicitation.answered', 2, 5],
    ]);
    expect(q1).toEqual((await readAll(store)).filter((event) => event.elicitationId === 'q1'));
    expect(store.readElicitation('q3')).toEqual([]);
    await store.close();
  });
});

describe('SQLite event store', () => {
  it('same version twice stores nothing', () => {
    const store = new SqliteEventStore(temporaryDatabasePath());
    store.append([requested('q1', startTime)]);

    expect(() => store.append([requested('q2', startTime + 1), answered('q1', startTime + 2), answered('q1', startTime + 3)])).toThrow();
    expect(store.lastPosition()).toBe(1);
    expect(positionsOf([...store.read()])).toEqual([1]);
    expect(positionsOf(store.append([answered('q1', startTime + 4)]))).toEqual([2]);
    store.close();
  });

  it('reopened file reads back identical', async () => {
    const path = temporaryDatabasePath();
    const store = new SqliteEventStore(path);
    const stored = [
      ...store.append([requested('q1', startTime), requested('q2', startTime + 1)]),
      ...store.append([refused(startTime + 2), answered('q1', startTime + 3)]),
    ];
    store.close();

    const reopened = new SqliteEventStore(path);

    expect(await readAll(reopened)).toEqual(stored);
    expect(reopened.lastPosition()).toBe(4);
    expect(reopened.lastTime()).toBe(startTime + 3);
    reopened.close();
  });

  it('reopened file continues positions', () => {
    const path = temporaryDatabasePath();
    const store = new SqliteEventStore(path);
    store.append([requested('q1', startTime), requested('q2', startTime + 1)]);
    store.close();

    const reopened = new SqliteEventStore(path);
    const stored = reopened.append([answered('q2', startTime + 2)]);

    expect(positionsOf(stored)).toEqual([3]);
    expect(positionsOf([...reopened.read()])).toEqual([1, 2, 3]);
    reopened.close();
  });

  it('reopened file keeps version rule', () => {
    const path = temporaryDatabasePath();
    const store = new SqliteEventStore(path);
    store.append([requested('q1', startTime), answered('q1', startTime + 1)]);
    store.close();

    const reopened = new SqliteEventStore(path);

    expect(() => reopened.append([answered('q1', startTime + 2)])).toThrow();
    expect(reopened.lastPosition()).toBe(2);
    reopened.close();
  });

  it('journal mode is WAL', () => {
    const path = temporaryDatabasePath();
    const store = new SqliteEventStore(path);
    store.append([requested('q1', startTime)]);

    const inspector = new Database(path, { readonly: true });
    const journalMode = inspector.pragma('journal_mode', { simple: true });
    inspector.close();
    store.close();

    expect(journalMode).toBe('wal');
  });

  it('closing twice is harmless', () => {
    const store = new SqliteEventStore(temporaryDatabasePath());
    store.close();

    expect(() => store.close()).not.toThrow();
  });

  it('closed store names its file', () => {
    const path = temporaryDatabasePath();
    const store = new SqliteEventStore(path);
    store.close();

    expect(() => store.append([requested('q1', startTime)])).toThrow(path);
  });
});
