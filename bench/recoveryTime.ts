/**
 * Restart time: how long `createElicitationRuntime` takes to rebuild its state from a
 * SQLite store of a million events. The store is written directly through better-sqlite3,
 * in the runtime's own table layout, so building it takes seconds rather than the minutes
 * that a million commands through the runtime would.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createElicitationRuntime, SimulatedClock } from '../src/index.js';
import { SqliteEventStore } from '../src/store/sqliteEventStore.js';
import { newTimeOrderedId } from '../src/runtime/timeOrderedIds.js';

export interface RecoveryResult {
  readonly events: number;
  readonly pending: number;
  readonly buildSeconds: number;
  readonly recoverySeconds: number;
  readonly heapBytesAfter: number;
}

const start = Date.UTC(2026, 0, 1);
const schema = { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] };

/** Builds a store of `events` events, one in ten elicitations left pending, and times a restart on it. */
export async function measureRecovery(events: number): Promise<RecoveryResult> {
  const folder = mkdtempSync(join(tmpdir(), 'elicit-bench-recovery-'));
  const path = join(folder, 'store.db');
  try {
    const buildStarted = performance.now();
    new SqliteEventStore(path).close();
    const pending = writeEvents(path, events);
    const buildSeconds = (performance.now() - buildStarted) / 1000;

    globalThis.gc?.();
    const recoveryStarted = performance.now();
    const runtime = await createElicitationRuntime({ store: new SqliteEventStore(path), clock: new SimulatedClock(start + 1_000), security: { level: 'off' } });
    const recoverySeconds = (performance.now() - recoveryStarted) / 1000;
    if (runtime.pendingCount !== pending) throw new Error(`the restarted runtime has ${runtime.pendingCount} pending, the store ${pending}`);
    globalThis.gc?.();
    const heapBytesAfter = process.memoryUsage().heapUsed;
    await runtime.stop();

    return { events, pending, buildSeconds, recoverySeconds, heapBytesAfter };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Writes request/answer pairs, leaving every tenth request pending; returns how many are pending. */
function writeEvents(path: string, total: number): number {
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  const insert = database.prepare(
    'INSERT INTO events (position, event_id, type, elicitation_id, version, time, causation_id, correlation_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  let position = 0;
  let pending = 0;
  const writeAll = database.transaction(() => {
    for (let index = 0; position < total; index++) {
      const id = newTimeOrderedId();
      const requestId = newTimeOrderedId();
      const requested = { from: `requester-${index % 100}`, to: `responder-${index % 50}`, message: `question ${index}`, schema, deadline: start + 3_600_000, metadata: {} };
      insert.run(++position, requestId, 'elicitation.requested', id, 1, start, requestId, requestId, JSON.stringify(requested));
      if (index % 10 === 0 || position >= total) {
        pending += 1;
        continue;
      }
      const answerId = newTimeOrderedId();
      insert.run(++position, answerId, 'elicitation.answered', id, 2, start, answerId, requestId, JSON.stringify({ by: requested.to, content: { approved: true } }));
    }
  });
  writeAll();
  database.close();
  return pending;
}
