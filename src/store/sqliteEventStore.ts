/**
 * The embedded default event store: one SQLite file in WAL mode through better-sqlite3.
 * Each append is one transaction, so a batch is durable whole or not at all.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { asEventPosition } from '../runtime/ids.js';
import { ElicitationError } from '../runtime/errors.js';
import type { DomainEvent, UnstoredEvent } from './domainEvent.js';
import type { EventStore } from './eventStore.js';

export interface SqliteEventStoreOptions {
  /**
   * SQLite's `synchronous` setting. `full` (the default) syncs the WAL on every commit,
   * so an acknowledged event survives a power loss; `normal` survives a process crash only.
   */
  readonly synchronous?: 'full' | 'normal';
}

interface EventRow {
  position: number;
  event_id: string;
  type: string;
  elicitation_id: string | null;
  version: number | null;
  time: number;
  causation_id: string;
  correlation_id: string;
  data: string;
}

const schemaStatements = `
  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    elicitation_id TEXT,
    version INTEGER,
    time INTEGER NOT NULL,
    causation_id TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    data TEXT NOT NULL
  );
  -- One event per version of an elicitation: a second terminal event cannot be stored.
  CREATE UNIQUE INDEX IF NOT EXISTS events_by_elicitation
    ON events (elicitation_id, version) WHERE elicitation_id IS NOT NULL;
`;

export class SqliteEventStore implements EventStore {
  readonly path: string;
  private readonly database: Database.Database;
  private readonly insert: Database.Statement;
  private readonly selectAfter: Database.Statement;
  private readonly appendBatch: (events: readonly UnstoredEvent[]) => DomainEvent[];
  private position: number;
  private closed = false;

  /** Opens (or creates) the store at `path`; `:memory:` gives a private in-memory database. */
  constructor(path: string, options: SqliteEventStoreOptions = {}) {
    this.path = path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });

    this.database = new Database(path);
    this.database.pragma('journal_mode = WAL');
    this.database.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.database.pragma('busy_timeout = 5000');
    this.database.exec(schemaStatements);

    this.insert = this.database.prepare(
      `INSERT INTO events (position, event_id, type, elicitation_id, version, time, causation_id, correlation_id, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectAfter = this.database.prepare('SELECT * FROM events WHERE position > ? ORDER BY position');
    const last = this.database.prepare('SELECT MAX(position) AS position FROM events').get() as { position: number | null };
    this.position = last.position ?? 0;

    this.appendBatch = this.database.transaction((events: readonly UnstoredEvent[]) => {
      const stored: DomainEvent[] = [];
      let position = this.position;
      for (const event of events) {
        position += 1;
        this.insert.run(
          position, event.eventId, event.type, event.elicitationId, event.version, event.time,
          event.causationId, event.correlationId, JSON.stringify(event.data),
        );
        stored.push({ ...event, position: asEventPosition(position) } as DomainEvent);
      }
      return stored;
    });
  }

  append(events: readonly UnstoredEvent[]): readonly DomainEvent[] {
    if (this.closed) {
      throw new ElicitationError('STORE_UNAVAILABLE', `the SQLite event store at ${this.path} is closed; open it again to append`);
    }
    if (events.length === 0) return [];

    // The position advances only after the transaction commits, so a failed batch leaves no gap.
    const stored = this.appendBatch(events);
    this.position = stored.at(-1)!.position;
    return stored;
  }

  *read(after = 0): Iterable<DomainEvent> {
    for (const row of this.selectAfter.iterate(after) as Iterable<EventRow>) yield rowToEvent(row);
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

function rowToEvent(row: EventRow): DomainEvent {
  return {
    position: asEventPosition(row.position),
    eventId: row.event_id,
    type: row.type,
    elicitationId: row.elicitation_id,
    version: row.version,
    time: row.time,
    causationId: row.causation_id,
    correlationId: row.correlation_id,
    data: JSON.parse(row.data) as unknown,
  } as DomainEvent;
}
