/**
 * Instruments that split a measurement's wall time: time inside the event store's `append`
 * (through a wrapping store) and garbage-collection pauses (through `perf_hooks`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import type { DomainEvent, EventStore, UnstoredEvent } from '../src/index.js';
import { SqliteEventStore, ThreadedSqliteEventStore } from '../src/store/sqliteEventStore.js';

/** An event store that forwards to another and counts the events, batches and ms of each append. */
export class TimedEventStore implements EventStore {
  events = 0;
  batches = 0;
  appendMs = 0;
  /** The ms from each append until its events were stored, kept only while `keepDurations` is set. */
  readonly appendDurations: number[] = [];
  keepDurations = false;

  constructor(private readonly inner: EventStore) {}

  /**
   * Adds the synchronous part of the append to `appendMs`, the time the caller's thread spent
   * in it. `appendDurations` gets the time until the events were stored, which for a store
   * that returns a promise is when the promise resolves.
   */
  append(events: readonly UnstoredEvent[]): readonly DomainEvent[] | Promise<readonly DomainEvent[]> {
    const started = performance.now();
    const stored = this.inner.append(events);
    const duration = performance.now() - started;
    this.appendMs += duration;
    this.events += events.length;
    this.batches += 1;
    if (this.keepDurations) {
      if (stored instanceof Promise) {
        const durations = this.appendDurations;
        void stored.then(() => durations.push(performance.now() - started), () => undefined);
      } else {
        this.appendDurations.push(duration);
      }
    }
    return stored;
  }

  read(after?: number): Iterable<DomainEvent> | AsyncIterable<DomainEvent> {
    return this.inner.read(after);
  }

  lastPosition(): number | Promise<number> {
    return this.inner.lastPosition();
  }

  lastTime(): number | undefined | Promise<number | undefined> {
    return this.inner.lastTime();
  }

  close(): void | Promise<void> {
    return this.inner.close();
  }

  /** Returns the counters now, to subtract from a later reading. */
  reading(): StoreReading {
    return { events: this.events, batches: this.batches, appendMs: this.appendMs };
  }
}

export interface StoreReading {
  readonly events: number;
  readonly batches: number;
  readonly appendMs: number;
}

export function storeDelta(before: StoreReading, after: StoreReading): StoreReading {
  return { events: after.events - before.events, batches: after.batches - before.batches, appendMs: after.appendMs - before.appendMs };
}

/** The SQLite store to measure: `main` commits on the calling thread (`SqliteEventStore`), `thread` moves large commits to a worker (`ThreadedSqliteEventStore`). */
export type SqliteWriter = 'main' | 'thread';

/** Names where a SQLite store commits, for labels. */
export function committingOn(writer: SqliteWriter): string {
  return writer === 'thread' ? 'small batches on the main thread and large ones on a worker thread (ThreadedSqliteEventStore)' : 'on the main thread (SqliteEventStore)';
}

/** Opens a SQLite event store on a file in a new temporary directory, which `remove` deletes. */
export function openTemporarySqliteStore(writer: SqliteWriter = 'main'): { readonly store: EventStore; readonly path: string; readonly remove: () => void } {
  const directory = mkdtempSync(join(tmpdir(), 'elicitation-bench-'));
  const path = join(directory, 'events.db');
  const store = writer === 'thread' ? new ThreadedSqliteEventStore(path) : new SqliteEventStore(path);
  return { store, path, remove: () => rmSync(directory, { recursive: true, force: true }) };
}

/** Sums garbage-collection pauses from `start` until `stop`. */
export class GcPauses {
  private totalMs = 0;
  private count = 0;
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      this.totalMs += entry.duration;
      this.count += 1;
    }
  });

  start(): this {
    this.observer.observe({ entryTypes: ['gc'] });
    return this;
  }

  /** Stops observing; waits one turn of the event loop so the last entries are delivered. */
  async stop(): Promise<{ readonly pauseMs: number; readonly pauses: number }> {
    await new Promise((resolve) => setImmediate(resolve));
    this.observer.disconnect();
    return { pauseMs: this.totalMs, pauses: this.count };
  }
}

/**
 * Runs a full garbage collection, which needs the `--expose-gc` flag. Each measured run
 * starts with one, so that garbage left by the runs before it does not pause it.
 */
export function collectGarbage(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('global.gc is missing; run the benchmark with node --expose-gc (npm run bench does)');
  collect();
  collect();
}

/** Runs a full garbage collection and returns `heapUsed`. */
export function collectedHeapBytes(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}
