/**
 * The SQLite event store with its commits on a worker thread: the same file, table and
 * guarantees as `SqliteEventStore`, but `append` returns a promise, and the host's event
 * loop runs on while SQLite commits and syncs. Under load the runtime's group commit gathers
 * what arrives during one commit into the next, so batches grow instead of queueing.
 * Reads use a connection on the calling thread, which WAL mode lets run beside the writer.
 */
import type Database from 'better-sqlite3';
import { ElicitationError } from '../runtime/errors.js';
import { storedAt, type DomainEvent, type UnstoredEvent } from './domainEvent.js';
import type { EventStore } from './eventStore.js';
import { eventRow, openEventsDatabase, rowToEvent, type EventRow, type SqliteSynchronous } from './sqliteSchema.js';
import { SqliteWriterThread } from './sqliteWriterThread.js';

export interface ThreadedSqliteEventStoreOptions {
  /**
   * SQLite's `synchronous` setting. `full` (the default) syncs the WAL on every commit,
   * so an acknowledged event survives a power loss; `normal` survives a process crash only.
   */
  readonly synchronous?: SqliteSynchronous;
}

export class ThreadedSqliteEventStore implements EventStore {
  readonly path: string;
  private readonly database: Database.Database;
  private readonly writer: SqliteWriterThread;
  private readonly selectAfter: Database.Statement;
  private readonly selectTime: Database.Statement;
  /** The position of the last committed event. */
  private position: number;
  /** The append running now, if any; the next one starts after it, so positions stay gap-free. */
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** Opens (or creates) the store at `path` and starts its writer thread. A file path is required. */
  constructor(path: string, options: ThreadedSqliteEventStoreOptions = {}) {
    if (path === ':memory:') {
      throw new ElicitationError('INVALID_REQUEST', 'a threaded SQLite store needs a file path, because its two connections must share the database; use SqliteEventStore for :memory:');
    }
    this.path = path;
    const synchronous = options.synchronous ?? 'full';
    this.database = openEventsDatabase(path, synchronous);
    this.selectAfter = this.database.prepare('SELECT * FROM events WHERE position > ? ORDER BY position');
    this.selectTime = this.database.prepare('SELECT time FROM events WHERE position = ?');
    const last = this.database.prepare('SELECT MAX(position) AS position FROM events').get() as { position: number | null };
    this.position = last.position ?? 0;
    this.writer = new SqliteWriterThread(path, synchronous);
  }

  append(events: readonly UnstoredEvent[]): Promise<readonly DomainEvent[]> {
    if (this.closed) {
      return Promise.reject(new ElicitationError('STORE_UNAVAILABLE', `the SQLite event store at ${this.path} is closed; open it again to append`));
    }
    if (events.length === 0) return Promise.resolve([]);

    const appended = this.tail.then(() => this.write(events));
    this.tail = appended.catch(() => undefined);
    return appended;
  }

  *read(after = 0): Iterable<DomainEvent> {
    for (const row of this.selectAfter.iterate(after) as Iterable<EventRow>) yield rowToEvent(row);
  }

  lastPosition(): number {
    return this.position;
  }

  lastTime(): number | undefined {
    const row = this.selectTime.get(this.position) as { time: number } | undefined;
    return row?.time;
  }

  /** Waits for the append in flight, then stops the writer thread and closes both connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    await this.writer.close();
    this.database.close();
  }

  private async write(events: readonly UnstoredEvent[]): Promise<readonly DomainEvent[]> {
    const first = this.position + 1;
    await this.writer.write(events.map((event, index) => eventRow(event, first + index)));
    // The position advances only after the commit, so a failed batch leaves no gap.
    this.position = first + events.length - 1;
    return events.map((event, index) => storedAt(event, first + index));
  }
}
