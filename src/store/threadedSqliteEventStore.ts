/**
 * The SQLite event store that moves large commits to a worker thread: the same file, table
 * and guarantees as `SqliteEventStore`. A small batch commits on the calling thread, where
 * it costs least, and `append` returns its events. A large one (a burst of deadlines, a
 * backlog under load) commits on the writer thread while the host's event loop runs on, and
 * `append` returns a promise of them. Under load the runtime's group commit gathers what
 * arrives during one commit into the next, so batches grow instead of queueing. Reads use a
 * connection of their own, so an open `read()` never blocks an append.
 */
import type Database from 'better-sqlite3';
import { ElicitationError } from '../runtime/errors.js';
import { storedAt, type DomainEvent, type UnstoredEvent } from './domainEvent.js';
import type { EventStore } from './eventStore.js';
import { eventRow, openEventsDatabase, prepareBatchInsert, prepareReadAfter, prepareReadElicitation, type SqliteSynchronous } from './sqliteSchema.js';
import { SqliteWriterThread } from './sqliteWriterThread.js';

export interface ThreadedSqliteEventStoreOptions {
  /**
   * SQLite's `synchronous` setting. `full` (the default) syncs the WAL on every commit,
   * so an acknowledged event survives a power loss; `normal` survives a process crash only.
   */
  readonly synchronous?: SqliteSynchronous;
  /**
   * The largest batch that commits on the calling thread, 32 by default. Larger batches
   * commit on the writer thread, and 0 sends every batch there.
   */
  readonly inlineBatchLimit?: number;
}

const defaultInlineBatchLimit = 32;

export class ThreadedSqliteEventStore implements EventStore {
  readonly path: string;
  /** The connection for reads. */
  private readonly database: Database.Database;
  /** The connection for the batches committed on the calling thread. */
  private readonly inlineDatabase: Database.Database;
  private readonly writer: SqliteWriterThread;
  private readonly insertBatch: (events: readonly UnstoredEvent[], first: number) => DomainEvent[];
  private readonly inlineBatchLimit: number;
  private readonly readAfter: (after: number) => Generator<DomainEvent>;
  private readonly readEvents: (elicitationId: string) => DomainEvent[];
  private readonly selectTime: Database.Statement;
  /** The position of the last committed event. */
  private position: number;
  /**
   * The appends sent to the writer thread and those queued behind them, settled once all are
   * done, or undefined when none is. A later append waits for it, so positions stay gap-free.
   */
  private tail: Promise<unknown> | undefined;
  private closed = false;

  /** Opens (or creates) the store at `path` and starts its writer thread. A file path is required. */
  constructor(path: string, options: ThreadedSqliteEventStoreOptions = {}) {
    if (path === ':memory:') {
      throw new ElicitationError('INVALID_REQUEST', 'a threaded SQLite store needs a file path, because its connections must share the database. Use SqliteEventStore for :memory:');
    }
    const inlineBatchLimit = options.inlineBatchLimit ?? defaultInlineBatchLimit;
    if (!Number.isSafeInteger(inlineBatchLimit) || inlineBatchLimit < 0) {
      throw new ElicitationError('INVALID_REQUEST', `inlineBatchLimit must be a whole number of events from 0 up, but got ${typeof inlineBatchLimit === 'number' ? String(inlineBatchLimit) : JSON.stringify(inlineBatchLimit)}`);
    }
    this.path = path;
    this.inlineBatchLimit = inlineBatchLimit;
    const synchronous = options.synchronous ?? 'full';
    this.database = openEventsDatabase(path, synchronous);
    this.inlineDatabase = openEventsDatabase(path, synchronous);
    this.insertBatch = prepareBatchInsert(this.inlineDatabase);
    this.readAfter = prepareReadAfter(this.database);
    this.readEvents = prepareReadElicitation(this.database);
    this.selectTime = this.database.prepare('SELECT time FROM events WHERE position = ?');
    const last = this.database.prepare('SELECT MAX(position) AS position FROM events').get() as { position: number | null };
    this.position = last.position ?? 0;
    this.writer = new SqliteWriterThread(path, synchronous);
  }

  /**
   * Appends `events`. A small batch commits on this thread and returns its events, unless an
   * append on the writer thread is unfinished. Then it waits behind that append and returns a
   * promise, as a large batch does. Throws `STORE_UNAVAILABLE` once the store is closed or its
   * writer thread has died.
   */
  append(events: readonly UnstoredEvent[]): readonly DomainEvent[] | Promise<readonly DomainEvent[]> {
    if (this.closed) {
      throw new ElicitationError('STORE_UNAVAILABLE', `the SQLite event store at ${this.path} is closed; open it again to append`);
    }
    // The thread may have committed a write it could not confirm, so positions here may be stale.
    if (this.writer.failure !== undefined) throw this.writer.failure;
    if (events.length === 0) return [];
    if (this.tail === undefined && events.length <= this.inlineBatchLimit) return this.insertHere(events);

    const appended = (this.tail ?? Promise.resolve()).then(() => this.insertQueued(events));
    const tail: Promise<unknown> = appended.catch(() => undefined);
    this.tail = tail;
    void tail.then(() => {
      if (this.tail === tail) this.tail = undefined;
    });
    return appended;
  }

  *read(after = 0): Iterable<DomainEvent> {
    yield* this.readAfter(after);
  }

  readElicitation(elicitationId: string): readonly DomainEvent[] {
    return this.readEvents(elicitationId);
  }

  lastPosition(): number {
    return this.position;
  }

  lastTime(): number | undefined {
    const row = this.selectTime.get(this.position) as { time: number } | undefined;
    return row?.time;
  }

  /** Waits for the appends in flight, then stops the writer thread and closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    this.tail = undefined;
    await this.writer.close();
    this.inlineDatabase.close();
    this.database.close();
  }

  /** Inserts a batch that waited behind the writer thread, which may have died meanwhile. */
  private insertQueued(events: readonly UnstoredEvent[]): readonly DomainEvent[] | Promise<readonly DomainEvent[]> {
    if (this.writer.failure !== undefined) throw this.writer.failure;
    return events.length <= this.inlineBatchLimit ? this.insertHere(events) : this.insertOnWriterThread(events);
  }

  private insertHere(events: readonly UnstoredEvent[]): readonly DomainEvent[] {
    // The position advances only after the transaction commits, so a failed batch leaves no gap.
    const stored = this.insertBatch(events, this.position + 1);
    this.position += events.length;
    return stored;
  }

  private async insertOnWriterThread(events: readonly UnstoredEvent[]): Promise<readonly DomainEvent[]> {
    const first = this.position + 1;
    await this.writer.write(events.map((event, index) => eventRow(event, first + index)));
    // The position advances only after the commit, so a failed batch leaves no gap.
    this.position = first + events.length - 1;
    return events.map((event, index) => storedAt(event, first + index));
  }
}
