/**
 * Latency of `request` and of `accept` at a fixed offered load, open loop: each command is
 * sent at its scheduled wall-clock time whether or not earlier ones finished. Latency runs
 * from that scheduled time, so a stalled event loop shows up as latency instead of as fewer
 * commands sent. SystemClock, durability `sync`, on the SQLite or the memory store.
 * Each SQLite store runs `sizes.trials` times, alternating, and the median trial by p99
 * `accept` latency counts.
 */
import { createElicitationRuntime, isElicitationError, MemoryEventStore, SystemClock } from '../src/index.js';
import { collectGarbage, GcPauses, openTemporarySqliteStore, storeDelta, TimedEventStore } from './instruments.js';
import { ProgressBar } from './progress.js';
import { distributionOf, percentilesOf, type Distribution, type LatencyPercentiles } from './stats.js';
import { medianTrial, trialLabel } from './trials.js';
import { acceptInput, benchmarkSecurity, requestInput, type BenchSizes } from './workload.js';

/** Elicitations requested before the clock starts, so the first accept slots find one to accept. */
const initialPoolSize = 512;
const lifecycleTimeoutMs = 3_600_000;

/** `sqlite` is `SqliteEventStore`, which commits on the main thread, and `sqlite-thread` is `ThreadedSqliteEventStore`. */
export type LatencyStore = 'sqlite' | 'sqlite-thread' | 'memory';

const storeLabels: Record<LatencyStore, string> = { sqlite: 'SqliteEventStore', 'sqlite-thread': 'ThreadedSqliteEventStore', memory: 'MemoryEventStore' };

export interface LatencyResults {
  readonly store: LatencyStore;
  readonly offeredCommandsPerSecond: number;
  readonly measuredMs: number;
  /** Commands sent in the measured window, per second. */
  readonly sentCommandsPerSecond: number;
  /** Latency in ms from each command's scheduled send time until its promise resolved. */
  readonly request: LatencyPercentiles;
  readonly accept: LatencyPercentiles;
  /** Delay in ms between each command's scheduled time and its send. */
  readonly sendDelay: LatencyPercentiles;
  /**
   * The ms from each store append until its events were stored (for SQLite, one transaction
   * with its sync, plus the round trip to the writer thread for `sqlite-thread`), during the measured window.
   */
  readonly storeAppendMs: LatencyPercentiles;
  /** Share of the measured window the event loop spent inside store appends, from 0 to 1. */
  readonly storeAppendShare: number;
  /** Garbage-collection pauses during the measured window: how many, and their total ms. */
  readonly gcPauses: number;
  readonly gcPauseMs: number;
  readonly batchSizes: Distribution;
  /** Accept slots that found no resolved request to accept, by which the offered load fell. */
  readonly skippedAccepts: number;
  readonly errors: Readonly<Record<string, number>>;
}

export interface LatencyPhaseResults {
  /** The median trial of each SQLite store, by p99 `accept` latency. */
  readonly sqlite: LatencyResults;
  readonly sqliteThread: LatencyResults;
  /** One run on the memory store, for reference. */
  readonly memory: LatencyResults;
  /** The p99 `accept` latency of every trial, in ms, in the order run. */
  readonly trials: { readonly sqlite: readonly number[]; readonly sqliteThread: readonly number[] };
}

/** Measures both SQLite stores `sizes.trials` times each, alternating, and the memory store once. */
export async function measureLatencyPhase(sizes: BenchSizes): Promise<LatencyPhaseResults> {
  const sqliteRuns: LatencyResults[] = [];
  const threadRuns: LatencyResults[] = [];
  for (let trial = 1; trial <= sizes.trials; trial++) {
    sqliteRuns.push(await measureLatency(sizes, 'sqlite', trial));
    threadRuns.push(await measureLatency(sizes, 'sqlite-thread', trial));
  }
  const acceptP99 = (run: LatencyResults) => run.accept.p99;
  const sqlite = medianTrial(sqliteRuns, acceptP99);
  const sqliteThread = medianTrial(threadRuns, acceptP99);
  const memory = await measureLatency(sizes, 'memory', 1);
  return { sqlite: sqlite.median, sqliteThread: sqliteThread.median, memory, trials: { sqlite: sqlite.figures, sqliteThread: sqliteThread.figures } };
}

interface ReadyElicitation {
  readonly id: string;
  readonly sequence: number;
}

/** Measures on `storeKind`. The target is about the SQLite run, and the memory run shows what the store adds. */
export async function measureLatency(sizes: BenchSizes, storeKind: LatencyStore, trial = 1): Promise<LatencyResults> {
  collectGarbage();
  const sqliteFile = storeKind === 'memory' ? undefined : openTemporarySqliteStore(storeKind === 'sqlite-thread' ? 'thread' : 'main');
  const store = new TimedEventStore(sqliteFile?.store ?? new MemoryEventStore());
  let batchSizes: number[] = [];
  const runtime = await createElicitationRuntime({ store, clock: new SystemClock(), security: benchmarkSecurity, onBatch: (size) => batchSizes.push(size) });

  try {
    const ready: ReadyElicitation[] = [];
    const pool = Array.from({ length: initialPoolSize }, (_, sequence) => runtime.request(requestInput(sequence, lifecycleTimeoutMs)).then(({ id }) => ready.push({ id, sequence })));
    await Promise.all(pool);
    batchSizes = [];

    const intervalMs = 1000 / sizes.offeredCommandsPerSecond;
    const warmupSlots = Math.round(sizes.latencyWarmupMs / intervalMs);
    const totalSlots = warmupSlots + Math.round(sizes.latencyDurationMs / intervalMs);
    const requestLatencies: number[] = [];
    const acceptLatencies: number[] = [];
    const sendDelays: number[] = [];
    const errors: Record<string, number> = {};
    let skippedAccepts = 0;
    let sent = 0;
    let readyHead = 0;
    let outstanding = 0;
    let allSettled: () => void = () => undefined;
    const settledPromise = new Promise<void>((resolve) => (allSettled = resolve));
    const progress = new ProgressBar(`open loop at ${sizes.offeredCommandsPerSecond.toLocaleString('en-US')} commands/s, ${storeLabels[storeKind]}${storeKind === 'memory' ? '' : trialLabel(sizes, trial)}`, totalSlots);
    const gc = new GcPauses();

    const finish = (measured: boolean, latencies: number[], scheduledAt: number) => {
      if (measured) latencies.push(performance.now() - scheduledAt);
      outstanding -= 1;
      if (outstanding === 0 && sent === totalSlots) allSettled();
    };
    const fail = (error: unknown) => {
      const code = isElicitationError(error) ? error.code : 'THROWN';
      errors[code] = (errors[code] ?? 0) + 1;
      outstanding -= 1;
      if (outstanding === 0 && sent === totalSlots) allSettled();
    };

    // Even slots request, odd slots accept the oldest elicitation whose request has resolved.
    const send = (slot: number, scheduledAt: number) => {
      const measured = slot >= warmupSlots;
      if (measured) sendDelays.push(performance.now() - scheduledAt);
      const sequence = initialPoolSize + slot;

      if (slot % 2 === 0) {
        outstanding += 1;
        runtime.request(requestInput(sequence, lifecycleTimeoutMs)).then(({ id }) => {
          ready.push({ id, sequence });
          finish(measured, requestLatencies, scheduledAt);
        }, fail);
        return;
      }

      const target = ready[readyHead];
      if (target === undefined) {
        if (measured) skippedAccepts += 1;
        return;
      }
      ready[readyHead++] = undefined as unknown as ReadyElicitation;
      outstanding += 1;
      runtime.accept(acceptInput(target.id, target.sequence)).then(() => finish(measured, acceptLatencies, scheduledAt), fail);
    };

    let measuredStartedAt = 0;
    let storeAtStart = store.reading();
    const startedAt = performance.now();
    await new Promise<void>((resolve) => {
      // setImmediate lets I/O and the runtime's own work run between checks, yet sends each command within a loop turn of its time.
      const pace = () => {
        const now = performance.now();
        while (sent < totalSlots && startedAt + sent * intervalMs <= now) {
          if (sent === warmupSlots) {
            measuredStartedAt = startedAt + sent * intervalMs;
            store.keepDurations = true;
            storeAtStart = store.reading();
            batchSizes = [];
            gc.start();
          }
          send(sent, startedAt + sent * intervalMs);
          sent += 1;
        }
        progress.update(sent);
        if (sent < totalSlots) setImmediate(pace);
        else resolve();
      };
      pace();
    });
    const measuredMs = startedAt + totalSlots * intervalMs - measuredStartedAt;
    if (outstanding > 0) await settledPromise;
    store.keepDurations = false;
    const { pauses, pauseMs } = await gc.stop();
    progress.finish();

    return {
      store: storeKind,
      offeredCommandsPerSecond: sizes.offeredCommandsPerSecond,
      measuredMs,
      sentCommandsPerSecond: ((totalSlots - warmupSlots - skippedAccepts) / measuredMs) * 1000,
      request: percentilesOf(requestLatencies),
      accept: percentilesOf(acceptLatencies),
      sendDelay: percentilesOf(sendDelays),
      storeAppendMs: percentilesOf(store.appendDurations),
      storeAppendShare: storeDelta(storeAtStart, store.reading()).appendMs / measuredMs,
      batchSizes: distributionOf(batchSizes),
      gcPauses: pauses,
      gcPauseMs: pauseMs,
      skippedAccepts,
      errors,
    };
  } finally {
    await runtime.stop();
    sqliteFile?.remove();
  }
}
