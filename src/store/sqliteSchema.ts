/**
 * The SQLite layout of the event log, shared by both SQLite stores: the table, its
 * connection settings, and the conversion between events and rows.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { asEventPosition } from '../runtime/ids.js';
import { storedAt, type DomainEvent, type UnstoredEvent } from './domainEvent.js';

/**
 * SQLite's `synchronous` setting. `full` syncs the WAL on every commit, so an acknowledged
 * event survives a power loss; `normal` survives a process crash only.
 */
export type SqliteSynchronous = 'full' | 'normal';

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

/** Inserts one event; its parameters are the values of `eventRow`, in order. */
export const insertEventSql = `INSERT INTO events (position, event_id, type, elicitation_id, version, time, causation_id, correlation_id, data)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Returns the PRAGMA settings that every connection to the log applies. */
export function connectionPragmas(synchronous: SqliteSynchronous): string[] {
  return ['journal_mode = WAL', `synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`, 'busy_timeout = 5000'];
}

/** Opens (or creates) the log at `path`, with its folder, settings and table. */
export function openEventsDatabase(path: string, synchronous: SqliteSynchronous): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  for (const pragma of connectionPragmas(synchronous)) database.pragma(pragma);
  database.exec(schemaStatements);
  return database;
}

/**
 * Prepares the insert of a batch on `database`: one transaction that stores `events` from
 * position `first` on and returns them as stored, or throws and stores none of them.
 */
export function prepareBatchInsert(database: Database.Database): (events: readonly UnstoredEvent[], first: number) => DomainEvent[] {
  const insert = database.prepare(insertEventSql);
  return database.transaction((events: readonly UnstoredEvent[], first: number) => {
    const stored: DomainEvent[] = [];
    for (let index = 0; index < events.length; index++) {
      const event = events[index]!;
      insert.run(eventRow(event, first + index));
      stored.push(storedAt(event, first + index));
    }
    return stored;
  });
}

/** How many rows one query of `prepareReadAfter` fetches. */
const readPageSize = 1000;

/**
 * Prepares the read of the log from a position on. It fetches a page of rows at a time, so no
 * query stays open between the events it yields, and the same connection can append meanwhile.
 */
export function prepareReadAfter(database: Database.Database): (after: number) => Generator<DomainEvent> {
  const selectPage = database.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?');
  return function* readAfter(after: number) {
    let last = after;
    for (;;) {
      const rows = selectPage.all(last, readPageSize) as EventRow[];
      for (const row of rows) yield rowToEvent(row);
      if (rows.length < readPageSize) return;
      last = rows.at(-1)!.position;
    }
  };
}

/** Prepares the read of one elicitation's events, in version order, through the (elicitation, version) index. */
export function prepareReadElicitation(database: Database.Database): (elicitationId: string) => DomainEvent[] {
  const select = database.prepare('SELECT * FROM events WHERE elicitation_id = ? ORDER BY version');
  return (elicitationId) => (select.all(elicitationId) as EventRow[]).map(rowToEvent);
}

/** Returns the parameters of `insertEventSql` for `event` stored at `position`. */
export function eventRow(event: UnstoredEvent, position: number): unknown[] {
  return [position, event.eventId, event.type, event.elicitationId, event.version, event.time, event.causationId, event.correlationId, JSON.stringify(event.data)];
}

/** The columns of one row of the `events` table. */
export interface EventRow {
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

export function rowToEvent(row: EventRow): DomainEvent {
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
