/**
 * The embedded default event store: one SQLite file in WAL mode through better-sqlite3.
 * Each append is one transaction, so a batch is durable whole or not at all.
 */
import type Database from 'better-sqlite3';
import { ElicitationError } from '../runtime/errors.js';
import type { DomainEvent, UnstoredEvent } from './domainEvent.js';
import type { EventStore } from './eventStore.js';
import { openEventsDatabase, prepareBatchInsert, prepareReadAfter, prepareReadElicitation, type SqliteSynchronous } from './sqliteSchema.js';

export { ThreadedSqliteEventStore, type ThreadedSqliteEventStoreOptions } from './threadedSqliteEventStore.js';

export interface SqliteEventStoreOptions {
  /**
   * SQLite's `synchronous` setting. `full` (the default) syncs the WAL on every commit,
   * so an acknowledged event survives a power loss; `normal` survives a process crash only.
   */
  readonly synchronous?: SqliteSynchronous;
}

export class SqliteEventStore implements EventStore {
  readonly path: string;
  private readonly database: Database.Database;
  private readonly readAfter: (after: number) => Generator<DomainEvent>;
  private readonly readEvents: (elicitationId: string) => DomainEvent[];
  private readonly insertBatch: (events: readonly UnstoredEvent[], first: number) => DomainEvent[];
  private position: number;
  private closed = false;

  /** Opens (or creates) the store at `path`; `:memory:` gives a private in-memory database. */
  constructor(path: string, options: SqliteEventStoreOptions = {}) {
    this.path = path;
    this.database = openEventsDatabase(path, options.synchronous ?? 'full');
    this.insertBatch = prepareBatchInsert(this.database);
    this.readAfter = prepareReadAfter(this.database);
    this.readEvents = prepareReadElicitation(this.database);
    const last = this.database.prepare('SELECT MAX(position) AS position FROM events').get() as { position: number | null };
    this.position = last.position ?? 0;
  }

  append(events: readonly UnstoredEvent[]): readonly DomainEvent[] {
    if (this.closed) {
      throw new ElicitationError('STORE_UNAVAILABLE', `the SQLite event store at ${this.path} is closed; open it again to append`);
    }
    if (events.length === 0) return [];

    // The position advances only after the transaction commits, so a failed batch leaves no gap.
    const stored = this.insertBatch(events, this.position + 1);
    this.position = stored.at(-1)!.position;
    return stored;
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
    const row = this.database.prepare('SELECT time FROM events WHERE position = ?').get(this.position) as { time: number } | undefined;
    return row?.time;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.database.close();
  }
}
