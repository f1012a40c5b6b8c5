/**
 * The benchmark's two outputs: the human report, a table per measurement with each figure's
 * ratio to the baseline, and the list of targets that the JSON result carries.
 */
import type { RecoveryResult } from './recoveryTime.js';
import { deadlineSpreadMs, type ExpiryResults, type ExpiryRun } from './expiryLateness.js';
import type { ThroughputResults, ThroughputRun } from './lifecycleThroughput.js';
import type { PendingLevel } from './pendingLevels.js';
import type { PendingScalingResults } from './pendingScaling.js';
import type { LatencyPhaseResults, LatencyResults } from './requestLatency.js';
import type { SettledMemoryResults } from './settledMemory.js';
import { formatNumber as n, formatRatio, type LatencyPercentiles } from './stats.js';

export interface BenchResults {
  readonly throughput: ThroughputResults | null;
  readonly latency: LatencyPhaseResults | null;
  readonly expiry: ExpiryResults | null;
  readonly pendingScaling: PendingScalingResults | null;
  readonly recovery: RecoveryResult | null;
  readonly settledMemory: SettledMemoryResults | null;
}

export interface Target {
  readonly name: string;
  readonly value: number | null;
  readonly unit: string;
  readonly target: number;
  readonly comparison: '>=' | '<=';
  readonly met: boolean;
  /**
   * The reason the value is missing, the level it comes from when that is not the named one,
   * or the figures of the same run that explain the value.
   */
  readonly note?: string;
  /** Every trial's value, in the order run, when the value is the median of several trials. */
  readonly trials?: readonly number[];
}

type Write = (line: string) => void;

export function targetsOf(results: BenchResults): Target[] {
  const runtimeLevels = results.pendingScaling?.runtime.levels ?? [];
  const atZero = runtimeLevels.find((level) => level.pending === 0);
  const atMillion = runtimeLevels.find((level) => level.pending === 1_000_000);
  const largest = runtimeLevels.filter((level) => level.heapBytesPerPending !== null).at(-1);
  const scaling = results.pendingScaling?.runtime;
  const millionSkipped =
    scaling === undefined
      ? 'the phase did not run'
      : (scaling.skipped.find((level) => level.pending === 1_000_000)?.reason ?? scaling.failure ?? 'not among the levels of this run (a --quick run stops at 10,000)');

  const wallRatio = atMillion && atZero ? atMillion.lifecycle.microsecondsPerLifecycle / atZero.lifecycle.microsecondsPerLifecycle : null;
  const cpuRatio = atMillion && atZero ? atMillion.lifecycle.cpuMicrosecondsPerLifecycle / atZero.lifecycle.cpuMicrosecondsPerLifecycle : null;
  const costNote = atMillion
    ? `wall-time ratio ${wallRatio!.toFixed(2)}, CPU-time ratio ${cpuRatio!.toFixed(2)}; the value is the larger, because other processes on the machine can inflate either level's wall time`
    : `not measured at 1,000,000 pending: ${millionSkipped}`;

  return [
    withTrials(target('durable lifecycles per second (SqliteEventStore, durability sync, 256 in flight)', results.throughput?.sqlite.lifecyclesPerSecond ?? null, 'lifecycles/s', '>=', 20_000), results.throughput?.trials.sqlite),
    target('cost per lifecycle at 1,000,000 pending / cost at 0 pending', wallRatio === null ? null : Math.max(wallRatio, cpuRatio!), 'ratio', '<=', 2, costNote),
    target(
      'heap bytes per pending elicitation at 1,000,000 pending',
      atMillion?.heapBytesPerPending ?? null,
      'bytes', '<=', 1_500,
      atMillion ? undefined : `not measured at 1,000,000 pending: ${millionSkipped}${largest ? `; ${n(largest.heapBytesPerPending)} bytes at ${n(largest.pending)} pending, the largest level run` : ''}`,
    ),
    withTrials(target('p99 accept latency at 5,000 commands/s offered (SqliteEventStore, durability sync)', results.latency?.sqlite.accept.p99 ?? null, 'ms', '<=', 2), results.latency?.trials.sqlite),
    withTrials(
      target(`p99 expiry lateness, ${n(results.expiry?.system.deadlines ?? null)} deadlines in one second on the SystemClock (SqliteEventStore)`, results.expiry?.system.latenessMs.p99 ?? null, 'ms', '<=', 20, results.expiry ? oneThreadExpiryNote(results.expiry) : undefined),
      results.expiry?.trials.system,
    ),
    // The same three targets on the SQLite store that moves large commits to a worker thread.
    withTrials(target('durable lifecycles per second (ThreadedSqliteEventStore, durability sync, 256 in flight)', results.throughput?.sqliteThread.lifecyclesPerSecond ?? null, 'lifecycles/s', '>=', 20_000), results.throughput?.trials.sqliteThread),
    withTrials(target('p99 accept latency at 5,000 commands/s offered (ThreadedSqliteEventStore, durability sync)', results.latency?.sqliteThread.accept.p99 ?? null, 'ms', '<=', 2), results.latency?.trials.sqliteThread),
    withTrials(
      target(`p99 expiry lateness, ${n(results.expiry?.systemThread.deadlines ?? null)} deadlines in one second on the SystemClock (ThreadedSqliteEventStore)`, results.expiry?.systemThread.latenessMs.p99 ?? null, 'ms', '<=', 20),
      results.expiry?.trials.systemThread,
    ),
  ];
}

/**
 * Describes where `SqliteEventStore`'s main thread spent the burst: the time inside its appends in
 * the SystemClock run, and the time to fire that many expiries, from the SimulatedClock run,
 * where firing finishes before any write starts.
 */
function oneThreadExpiryNote(expiry: ExpiryResults): string {
  const { simulated, system } = expiry;
  const fireMs = (simulated.firedWithinMs / simulated.deadlines) * system.deadlines;
  return (
    `SqliteEventStore fires and writes every expiry on the main thread. In this run that thread spent ${n(system.appendMs, 0)} ms inside appends, ` +
    `and firing ${n(system.deadlines)} expiries takes about ${n(fireMs, 0)} ms (${n((fireMs * 1000) / system.deadlines, 1)} µs each on the SimulatedClock): ` +
    `${n((system.appendMs ?? Number.NaN) + fireMs, 0)} ms of work for deadlines that fall over ${n(deadlineSpreadMs)} ms`
  );
}

/** Adds the trials a target's value is the median of, when there were several. */
function withTrials(item: Target, trials: readonly number[] | undefined): Target {
  return trials !== undefined && trials.length > 1 ? { ...item, trials } : item;
}

/** Builds a target, met when `value` was measured and reaches `goal`. */
function target(name: string, value: number | null, unit: string, comparison: '>=' | '<=', goal: number, note?: string): Target {
  const met = value !== null && Number.isFinite(value) && (comparison === '>=' ? value >= goal : value <= goal);
  return { name, value, unit, target: goal, comparison, met, ...(note === undefined ? {} : { note }) };
}

export function printReport(results: BenchResults, targets: readonly Target[], write: Write): void {
  if (results.throughput) printThroughput(results.throughput, write);
  if (results.latency) {
    printLatency(results.latency.sqlite, 'SqliteEventStore (commits on the main thread), durability sync', write, results.latency.trials.sqlite);
    printLatency(results.latency.sqliteThread, 'ThreadedSqliteEventStore (large commits on a worker thread), durability sync', write, results.latency.trials.sqliteThread);
    printLatency(results.latency.memory, 'memory store, for reference', write, []);
  }
  if (results.pendingScaling) printScaling(results.pendingScaling, write);
  if (results.expiry) printExpiry(results.expiry, write);
  if (results.throughput) printIngest(results.throughput, write);

  write('');
  write('Targets');
  for (const item of targets) {
    const value = item.value === null ? 'not measured' : `${n(item.value, item.unit === 'ms' || item.unit === 'ratio' ? 2 : 0)} ${item.unit}`;
    let verdict = item.met ? 'met    ' : 'NOT MET';
    if (item.value === null) verdict = 'n/a    ';
    write(`  ${verdict}  ${item.name}: ${value} (target ${item.comparison} ${n(item.target)})`);
    if (item.trials) write(`           the median of ${item.trials.length} trials: ${trialsText(item.trials, item.unit === 'ms' ? 2 : 0)}`);
    if (item.note) write(`           ${item.note}`);
  }
}

function printThroughput(results: ThroughputResults, write: Write): void {
  const baseline = results.baseline;
  write('');
  write('a, b. Full lifecycles (request, then accept), closed loop, 256 in flight');
  write('  subject                          lifecycles/s   µs/lifecycle   CPU µs/lifecycle   GC pause ms   vs baseline');
  const row = (label: string, run: ThroughputRun) =>
    write(`  ${label.padEnd(32)} ${n(run.lifecyclesPerSecond).padStart(12)}   ${n(run.microsecondsPerLifecycle, 1).padStart(12)}   ${n(run.cpuMicrosecondsPerLifecycle, 1).padStart(16)}   ${n(run.gcPauseMs).padStart(11)}   ${formatRatio(run.lifecyclesPerSecond, baseline.lifecyclesPerSecond).padStart(11)}${errorsOf(run.errors)}`);
  row('runtime, SqliteEventStore, sync', results.sqlite);
  row('runtime, ThreadedSqliteEventStore', results.sqliteThread);
  row('runtime, memory store', results.memory);
  row('plain baseline (no XState)', baseline);
  if (results.trials.sqlite.length > 1) {
    write(`  each row but the memory store's is the median of ${results.trials.sqlite.length} trials, run in turn; lifecycles/s of each trial:`);
    write(`  SqliteEventStore ${trialsText(results.trials.sqlite, 0)}; ThreadedSqliteEventStore ${trialsText(results.trials.sqliteThread, 0)}; baseline ${trialsText(results.trials.baseline, 0)}`);
  }
}

function printLatency(results: LatencyResults, label: string, write: Write, trials: readonly number[]): void {
  write('');
  write(`c. Latency at ${n(results.offeredCommandsPerSecond)} commands/s offered, open loop, ${label}, SystemClock (ms from scheduled send)`);
  write(`  ${n(results.sentCommandsPerSecond)} commands/s sent over ${n(results.measuredMs / 1000, 1)} s; ${n(results.skippedAccepts)} accept slots found nothing to accept${errorsOf(results.errors)}`);
  write('  command          p50        p99      p99.9        max');
  const row = (label: string, p: LatencyPercentiles) => write(`  ${label.padEnd(12)} ${n(p.p50, 3).padStart(7)} ${n(p.p99, 3).padStart(10)} ${n(p.p999, 3).padStart(10)} ${n(p.max, 3).padStart(10)}`);
  row('request', results.request);
  row('accept', results.accept);
  row('send delay', results.sendDelay);
  row('store append', results.storeAppendMs);
  write(`  batch sizes: min ${n(results.batchSizes.min)}, median ${n(results.batchSizes.median)}, max ${n(results.batchSizes.max)} over ${n(results.batchSizes.count)} batches; the main thread spent ${n(results.storeAppendShare * 100)}% of the window inside append; ${n(results.gcPauses)} GC pauses, ${n(results.gcPauseMs)} ms in all`);
  if (trials.length > 1) write(`  the median of ${trials.length} trials by p99 accept; p99 accept of each trial: ${trialsText(trials, 2)} ms`);
  if (results.store !== 'memory') write('  (no baseline ratio: the baseline writes no durable store, so its latency is a few microtasks)');
}

function printScaling(results: PendingScalingResults, write: Write): void {
  const { runtime, baseline } = results;
  const atZero = runtime.levels.find((level) => level.pending === 0);
  write('');
  write(`d, e. Cost per lifecycle and heap per pending elicitation as pending grows (runtime: SQLite, sync, SystemClock, in a child process with a ${n(runtime.heapLimitBytes / 2 ** 30, 1)} GB heap limit)`);
  write('  pending     µs/lifecycle  vs 0 pending  CPU µs  vs 0 pending  GC ms/1k  store µs  setup µs/request  heap B/pending  vs baseline (µs, heap)');
  for (const level of runtime.levels) {
    const reference = baseline.levels.find((candidate) => candidate.pending === level.pending);
    const lifecycle = level.lifecycle;
    write(
      `  ${n(level.pending).padEnd(10)} ${n(lifecycle.microsecondsPerLifecycle, 1).padStart(13)}  ${formatRatio(lifecycle.microsecondsPerLifecycle, atZero?.lifecycle.microsecondsPerLifecycle).padStart(12)}` +
        `  ${n(lifecycle.cpuMicrosecondsPerLifecycle, 0).padStart(6)}  ${formatRatio(lifecycle.cpuMicrosecondsPerLifecycle, atZero?.lifecycle.cpuMicrosecondsPerLifecycle).padStart(12)}  ${n((lifecycle.gcPauseMs * 1000) / lifecycle.lifecycles, 0).padStart(8)}  ${n(level.storeAppendMicrosecondsPerLifecycle, 1).padStart(8)}` +
        `  ${n(level.setupMicrosecondsPerRequest, 1).padStart(16)}  ${n(level.heapBytesPerPending).padStart(14)}  ${scalingRatios(level, reference)}${errorsOf(lifecycle.errors)}`,
    );
  }
  for (const skipped of runtime.skipped) write(`  ${n(skipped.pending).padEnd(10)} NOT MEASURED: ${skipped.reason}`);
  if (runtime.failure) write(`  FAILED: ${runtime.failure}`);
  for (const pending of [100_000, 1_000_000]) {
    const level = runtime.levels.find((candidate) => candidate.pending === pending);
    const value =
      level && atZero
        ? `${formatRatio(level.lifecycle.microsecondsPerLifecycle, atZero.lifecycle.microsecondsPerLifecycle)} in wall time, ${formatRatio(level.lifecycle.cpuMicrosecondsPerLifecycle, atZero.lifecycle.cpuMicrosecondsPerLifecycle)} in CPU time`
        : `not measured${runtime.skipped.some((skipped) => skipped.pending === pending) ? ' (see above)' : ''}`;
    write(`  cost per lifecycle at ${n(pending)} pending vs 0 pending: ${value} (target within 2x)`);
  }
  write(`  heap kept per settled lifecycle at 0 pending (both keep every settled elicitation's record): runtime ${n(runtime.retainedBytesPerSettled)} B, baseline ${n(baseline.retainedBytesPerSettled)} B`);
  write('  baseline, same levels (in this process; its event array is emptied before each heap reading, as the runtime\'s events are in SQLite):');
  for (const level of baseline.levels) write(`  ${n(level.pending).padEnd(10)} ${n(level.lifecycle.microsecondsPerLifecycle, 1).padStart(13)} µs/lifecycle, setup ${n(level.setupMicrosecondsPerRequest, 1)} µs/request, heap ${n(level.heapBytesPerPending)} B/pending`);
  for (const skipped of baseline.skipped) write(`  ${n(skipped.pending).padEnd(10)} NOT MEASURED: ${skipped.reason}`);
}

function scalingRatios(level: PendingLevel, reference: PendingLevel | undefined): string {
  return `${formatRatio(level.lifecycle.microsecondsPerLifecycle, reference?.lifecycle.microsecondsPerLifecycle)}, ${formatRatio(level.heapBytesPerPending, reference?.heapBytesPerPending)}`;
}

function printExpiry(results: ExpiryResults, write: Write): void {
  write('');
  write(`f. Expiry: ${n(results.system.deadlines)} deadlines in the same second (SQLite store, durability sync)`);
  write('  clock                        setup s  expired   all fired within ms   all durable within ms   lateness p50 / p99 / max ms     durable lateness p99 ms   vs baseline (fired within)');
  const row = (label: string, run: ExpiryRun, reference: ExpiryRun) =>
    write(
      `  ${label.padEnd(28)} ${n(run.setupMs / 1000, 1).padStart(7)}  ${n(run.expired).padStart(7)}   ${n(run.firedWithinMs).padStart(19)}   ${n(run.durableWithinMs).padStart(21)}` +
        `   ${`${n(run.latenessMs.p50, 1)} / ${n(run.latenessMs.p99, 1)} / ${n(run.latenessMs.max, 1)}`.padStart(27)}     ${n(run.durableLatenessMs?.p99, 1).padStart(21)}   ${formatRatio(run.firedWithinMs, reference.firedWithinMs).padStart(10)}`,
    );
  row('runtime, SimulatedClock', results.simulated, results.baselineSimulated);
  row('runtime, SystemClock', results.system, results.baselineSystem);
  row('  the same, threaded SQLite', results.systemThread, results.baselineSystem);
  row('baseline, simulated time', results.baselineSimulated, results.baselineSimulated);
  row('baseline, wall clock', results.baselineSystem, results.baselineSystem);
  for (const run of [results.system, results.systemThread]) {
    if (run.passedDuringSetup > 0) write(`  NOTE: ${n(run.passedDuringSetup)} SystemClock deadlines passed before the setup finished, so they fired while requests were still being sent.`);
  }
  if (results.trials.system.length > 1) {
    write(`  each SystemClock row is the median of ${results.trials.system.length} trials by p99 lateness, run in turn; p99 lateness of each trial in ms:`);
    write(`  SqliteEventStore ${trialsText(results.trials.system, 1)}; ThreadedSqliteEventStore ${trialsText(results.trials.systemThread, 1)}; baseline ${trialsText(results.trials.baselineSystem, 1)}`);
  }
  write(`  SystemClock p99 lateness vs baseline: ${formatRatio(results.system.latenessMs.p99, results.baselineSystem.latenessMs.p99)}; batch sizes while expiring (SystemClock): ${batchText(results.system)}`);
}

function printIngest(results: ThroughputResults, write: Write): void {
  write('');
  write('g. Events into each store during the lifecycle runs of a (onBatch sizes)');
  write('  store                            events/s   append µs/lifecycle   batch min / median / max   batches   vs baseline');
  const row = (label: string, run: ThroughputRun) =>
    write(
      `  ${label.padEnd(32)} ${n(run.ingest.eventsPerSecond).padStart(8)}   ${n(run.ingest.appendMicrosecondsPerLifecycle, 1).padStart(19)}   ${`${n(run.ingest.batchSizes.min)} / ${n(run.ingest.batchSizes.median)} / ${n(run.ingest.batchSizes.max)}`.padStart(25)}` +
        `   ${n(run.ingest.batchSizes.count).padStart(7)}   ${formatRatio(run.ingest.eventsPerSecond, results.baseline.ingest.eventsPerSecond).padStart(11)}`,
    );
  row('SqliteEventStore', results.sqlite);
  row('ThreadedSqliteEventStore', results.sqliteThread);
  row('memory', results.memory);
  row('baseline array (one per push)', results.baseline);
  write('  (append µs/lifecycle is time the main thread spent inside append. ThreadedSqliteEventStore commits only its small batches there, so its figure counts those alone)');
  const { sqlite, memory } = results.storesAlone;
  write(`  each store alone, appending lifecycle-shaped events in batches of ${n(sqlite.batchSize)}: SQLite ${n(sqlite.eventsPerSecond)} events/s (${n(sqlite.microsecondsPerEvent, 1)} µs/event), memory ${n(memory.eventsPerSecond)} events/s (${n(memory.microsecondsPerEvent, 1)} µs/event)`);
}

function trialsText(trials: readonly number[], digits: number): string {
  return trials.map((value) => n(value, digits)).join(', ');
}

function batchText(run: ExpiryRun): string {
  return run.batchSizes ? `min ${n(run.batchSizes.min)}, median ${n(run.batchSizes.median)}, max ${n(run.batchSizes.max)} over ${n(run.batchSizes.count)} batches` : 'n/a';
}

function errorsOf(errors: Readonly<Record<string, number>>): string {
  const listed = Object.entries(errors).map(([code, count]) => `${code} ${count}`);
  return listed.length === 0 ? '' : `  (refused: ${listed.join(', ')})`;
}

