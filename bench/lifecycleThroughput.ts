/**
 * Full lifecycles per second (request, then accept by the responder), closed loop, on the
 * memory store, on both SQLite stores with `sync` durability, and on the plain baseline.
 * The same runs give the events per second into each store and the batch sizes written.
 * The durable stores and the baseline run `sizes.trials` times each, and the median trial counts.
 */
import { createElicitationRuntime, MemoryEventStore, type EventStore } from '../src/index.js';
import { BaselineElicitations } from './baseline.js';
import { runClosedLoop, type ClosedLoopResult } from './closedLoop.js';
import { measureStoresAlone, type StoreAloneResults } from './storeIngest.js';
import { collectGarbage, committingOn, openTemporarySqliteStore, storeDelta, TimedEventStore, type SqliteWriter } from './instruments.js';
import { ProgressBar } from './progress.js';
import { distributionOf, type Distribution } from './stats.js';
import { medianTrial, trialLabel } from './trials.js';
import { benchmarkSecurity, type BenchSizes } from './workload.js';

/** Lifecycles run with an hour to spare, so no deadline fires during a measurement. */
const lifecycleTimeoutMs = 3_600_000;

export interface StoreIngest {
  readonly events: number;
  readonly eventsPerSecond: number;
  /** Sizes of the batches written during the measured run, as `onBatch` reported them. */
  readonly batchSizes: Distribution;
  /** Time inside the store's `append`, per lifecycle. */
  readonly appendMicrosecondsPerLifecycle: number;
}

export interface ThroughputRun extends ClosedLoopResult {
  readonly ingest: StoreIngest;
}

export interface ThroughputResults {
  /** The median trial of each durable store and of the baseline, by lifecycles per second. */
  readonly memory: ThroughputRun;
  readonly sqlite: ThroughputRun;
  /** The SQLite store that moves large commits to a worker thread. */
  readonly sqliteThread: ThroughputRun;
  readonly baseline: ThroughputRun;
  /** Lifecycles per second of every trial, in the order run. The memory store runs once, so it has none. */
  readonly trials: { readonly sqlite: readonly number[]; readonly sqliteThread: readonly number[]; readonly baseline: readonly number[] };
  readonly storesAlone: StoreAloneResults;
}

export async function measureThroughput(sizes: BenchSizes): Promise<ThroughputResults> {
  const memory = await measureRuntime('memory store', new MemoryEventStore(), sizes);

  // The subjects take turns, so a busy moment on the machine falls on one trial of each, not on every trial of one.
  const runs: { sqlite: ThroughputRun[]; sqliteThread: ThroughputRun[]; baseline: ThroughputRun[] } = { sqlite: [], sqliteThread: [], baseline: [] };
  for (let trial = 1; trial <= sizes.trials; trial++) {
    runs.sqlite.push(await measureSqlite('main', sizes, trial));
    runs.sqliteThread.push(await measureSqlite('thread', sizes, trial));
    runs.baseline.push(await measureBaseline(sizes, trial));
  }
  const perSecond = (run: ThroughputRun) => run.lifecyclesPerSecond;
  const sqlite = medianTrial(runs.sqlite, perSecond);
  const sqliteThread = medianTrial(runs.sqliteThread, perSecond);
  const baseline = medianTrial(runs.baseline, perSecond);
  return {
    memory,
    sqlite: sqlite.median,
    sqliteThread: sqliteThread.median,
    baseline: baseline.median,
    trials: { sqlite: sqlite.figures, sqliteThread: sqliteThread.figures, baseline: baseline.figures },
    storesAlone: measureStoresAlone(sizes),
  };
}

async function measureSqlite(writer: SqliteWriter, sizes: BenchSizes, trial: number): Promise<ThroughputRun> {
  const sqliteFile = openTemporarySqliteStore(writer);
  try {
    return await measureRuntime(`SQLite store committing ${committingOn(writer)}, durability sync${trialLabel(sizes, trial)}`, sqliteFile.store, sizes);
  } finally {
    sqliteFile.remove();
  }
}

async function measureRuntime(label: string, store: EventStore, sizes: BenchSizes): Promise<ThroughputRun> {
  collectGarbage();
  const timedStore = new TimedEventStore(store);
  let batchSizes: number[] = [];
  const runtime = await createElicitationRuntime({ store: timedStore, security: benchmarkSecurity, onBatch: (size) => batchSizes.push(size) });

  await runClosedLoop(runtime, { lifecycles: sizes.warmupLifecycles, concurrency: sizes.concurrency, timeoutMs: lifecycleTimeoutMs });
  batchSizes = [];
  const before = timedStore.reading();
  const progress = new ProgressBar(`lifecycles, runtime on the ${label}`, sizes.throughputLifecycles);
  const result = await runClosedLoop(runtime, {
    lifecycles: sizes.throughputLifecycles,
    concurrency: sizes.concurrency,
    timeoutMs: lifecycleTimeoutMs,
    firstSequence: sizes.warmupLifecycles,
    progress,
  });
  const written = storeDelta(before, timedStore.reading());
  await runtime.stop();

  return {
    ...result,
    ingest: {
      events: written.events,
      eventsPerSecond: (written.events / result.elapsedMs) * 1000,
      batchSizes: distributionOf(batchSizes),
      appendMicrosecondsPerLifecycle: (written.appendMs * 1000) / result.lifecycles,
    },
  };
}

async function measureBaseline(sizes: BenchSizes, trial: number): Promise<ThroughputRun> {
  collectGarbage();
  const baseline = new BaselineElicitations({ bucket: benchmarkBucket() });
  await runClosedLoop(baseline, { lifecycles: sizes.warmupLifecycles, concurrency: sizes.concurrency, timeoutMs: lifecycleTimeoutMs });

  const eventsBefore = baseline.events.length;
  const progress = new ProgressBar(`lifecycles, plain baseline${trialLabel(sizes, trial)}`, sizes.throughputLifecycles);
  const result = await runClosedLoop(baseline, {
    lifecycles: sizes.throughputLifecycles,
    concurrency: sizes.concurrency,
    timeoutMs: lifecycleTimeoutMs,
    firstSequence: sizes.warmupLifecycles,
    progress,
  });
  const events = baseline.events.length - eventsBefore;

  return {
    ...result,
    // The baseline appends each event to its array as it happens, so every batch contains one event.
    ingest: { events, eventsPerSecond: (events / result.elapsedMs) * 1000, batchSizes: distributionOf([1]), appendMicrosecondsPerLifecycle: 0 },
  };
}

/** Returns the baseline's bucket limits, equal to the runtime's `benchmarkSecurity` buckets. */
export function benchmarkBucket(): { perMinute: number; burst: number } {
  const limit = benchmarkSecurity.rateLimits!.requests!;
  return { perMinute: limit.perMinute!, burst: limit.burst! };
}
