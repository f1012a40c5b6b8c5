/**
 * Many deadlines in the same second: on the SimulatedClock, moved past them in one
 * `advanceTo`, and on the SystemClock, in real time. The lateness of an expiry is the
 * `time` of its `elicitation.expired` event minus its deadline, both on the runtime's clock.
 * The SystemClock runs repeat `sizes.trials` times, alternating, and the median trial by p99
 * lateness counts.
 */
import { filter, type Subscription } from 'rxjs';
import { createElicitationRuntime, SimulatedClock, SystemClock, type DomainEvent, type ElicitationRuntime, type ExpiredEvent } from '../src/index.js';
import { BaselineElicitations } from './baseline.js';
import { collectGarbage, committingOn, openTemporarySqliteStore, storeDelta, TimedEventStore, type SqliteWriter } from './instruments.js';
import { benchmarkBucket } from './lifecycleThroughput.js';
import { ProgressBar } from './progress.js';
import { distributionOf, maximumOf, minimumOf, percentilesOf, type Distribution, type LatencyPercentiles } from './stats.js';
import { medianTrial, trialLabel } from './trials.js';
import { benchmarkSecurity, requestInput, type BenchSizes } from './workload.js';

/** Requests in flight at once while the deadlines are set up. */
const setupChunk = 8_192;
/** The deadlines of the SystemClock runs fall evenly over this many ms. */
export const deadlineSpreadMs = 1000;
/** How long to wait for the last expiry after the last deadline before reporting what came. */
const expiryWaitLimitMs = 60_000;

export interface ExpiryRun {
  readonly deadlines: number;
  /** Wall ms to request every elicitation. */
  readonly setupMs: number;
  /** Deadlines already past when the setup finished; they fired while requests were still coming. */
  readonly passedDuringSetup: number;
  /** Wall ms from the first deadline (or the `advanceTo` call) until the last expiry fired. */
  readonly firedWithinMs: number;
  /** Wall ms from the same start until the last `expired` event was durable. */
  readonly durableWithinMs: number;
  readonly expired: number;
  /** `time` of the expired event minus its deadline, in ms. */
  readonly latenessMs: LatencyPercentiles;
  /** Wall-clock time at which the event came out of `transitions$` (durable), minus its deadline, in ms. */
  readonly durableLatenessMs: LatencyPercentiles | null;
  readonly batchSizes: Distribution | null;
  /** Ms the main thread spent inside store appends from the end of the setup until the last expiry, or null without a store. */
  readonly appendMs: number | null;
}

export interface ExpiryResults {
  readonly simulated: ExpiryRun;
  /** The median trial of each SystemClock subject, by p99 lateness. */
  readonly system: ExpiryRun;
  /** The same as `system`, on the SQLite store that moves large commits to a worker thread. */
  readonly systemThread: ExpiryRun;
  readonly baselineSimulated: ExpiryRun;
  readonly baselineSystem: ExpiryRun;
  /** The p99 lateness of every SystemClock trial, in ms, in the order run. */
  readonly trials: { readonly system: readonly number[]; readonly systemThread: readonly number[]; readonly baselineSystem: readonly number[] };
}

export async function measureExpiry(sizes: BenchSizes): Promise<ExpiryResults> {
  const simulated = await expireOnSimulatedClock(sizes.expiryDeadlines);
  const baselineSimulated = await expireBaselineOnSimulatedClock(sizes.expiryDeadlines);
  // The real-clock deadlines are set to fall after the setup ends, estimated from the simulated run.
  const setupMsPerRequest = simulated.setupMs / sizes.expiryDeadlines;
  const runs: { system: ExpiryRun[]; systemThread: ExpiryRun[]; baselineSystem: ExpiryRun[] } = { system: [], systemThread: [], baselineSystem: [] };
  // The subjects take turns, so a busy moment on the machine falls on one trial of each, not on every trial of one.
  for (let trial = 1; trial <= sizes.trials; trial++) {
    const label = trialLabel(sizes, trial);
    runs.system.push(await expireOnSystemClock(sizes.expiryDeadlines, setupMsPerRequest, 'main', label));
    runs.systemThread.push(await expireOnSystemClock(sizes.expiryDeadlines, setupMsPerRequest, 'thread', label));
    runs.baselineSystem.push(await expireBaselineOnSystemClock(sizes.expiryDeadlines, baselineSimulated.setupMs / sizes.expiryDeadlines, label));
  }
  const p99 = (run: ExpiryRun) => run.latenessMs.p99;
  const system = medianTrial(runs.system, p99);
  const systemThread = medianTrial(runs.systemThread, p99);
  const baselineSystem = medianTrial(runs.baselineSystem, p99);
  return {
    simulated, system: system.median, systemThread: systemThread.median, baselineSimulated, baselineSystem: baselineSystem.median,
    trials: { system: system.figures, systemThread: systemThread.figures, baselineSystem: baselineSystem.figures },
  };
}

/** Collects every `elicitation.expired` event as it becomes durable. */
class ExpiryCollector {
  readonly lateness: number[] = [];
  readonly durableLateness: number[] = [];
  /** `performance.now()` and `Date.now()` when the last expiry came out of `transitions$`. */
  lastDurableAt = 0;
  lastDurableEpoch = 0;
  private readonly subscription: Subscription;
  private waiter: { readonly count: number; readonly resolve: () => void } | undefined;

  constructor(runtime: ElicitationRuntime) {
    this.subscription = runtime.transitions$
      .pipe(filter((event: DomainEvent): event is ExpiredEvent & DomainEvent => event.type === 'elicitation.expired'))
      .subscribe((event) => {
        const now = Date.now();
        this.lastDurableAt = performance.now();
        this.lastDurableEpoch = now;
        this.lateness.push(event.time - event.data.deadline);
        this.durableLateness.push(now - event.data.deadline);
        if (this.waiter && this.lateness.length >= this.waiter.count) this.waiter.resolve();
      });
  }

  /** Resolves once `count` expiries came, or after `limitMs`, whichever is first. */
  waitFor(count: number, limitMs: number): Promise<void> {
    if (this.lateness.length >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, limitMs);
      this.waiter = { count, resolve: () => (clearTimeout(timer), resolve()) };
    });
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}

async function requestAll(label: string, count: number, request: (sequence: number) => Promise<{ readonly deadline: number }>): Promise<{ deadlines: number[]; setupMs: number }> {
  const deadlines: number[] = [];
  const progress = new ProgressBar(label, count);
  const startedAt = performance.now();
  for (let first = 0; first < count; first += setupChunk) {
    const chunk: Promise<{ readonly deadline: number }>[] = [];
    for (let sequence = first; sequence < Math.min(count, first + setupChunk); sequence++) chunk.push(request(sequence));
    for (const result of await Promise.all(chunk)) deadlines.push(result.deadline);
    progress.update(deadlines.length);
  }
  progress.finish();
  return { deadlines, setupMs: performance.now() - startedAt };
}

async function expireOnSimulatedClock(count: number): Promise<ExpiryRun> {
  collectGarbage();
  const startTime = Date.UTC(2026, 0, 1);
  const clock = new SimulatedClock(startTime);
  const sqliteFile = openTemporarySqliteStore();
  const store = new TimedEventStore(sqliteFile.store);
  let batchSizes: number[] = [];
  const runtime = await createElicitationRuntime({ store, clock, security: benchmarkSecurity, onBatch: (size) => batchSizes.push(size) });
  const collector = new ExpiryCollector(runtime);

  try {
    // Deadlines spread over one second, a minute after the start.
    const { setupMs } = await requestAll('deadlines on the SimulatedClock', count, (sequence) => runtime.request(requestInput(sequence, 60_000 + (sequence % 1000))));
    batchSizes = [];
    const storeAtStart = store.reading();

    const startedAt = performance.now();
    clock.advanceTo(startTime + 61_000);
    const firedWithinMs = performance.now() - startedAt;
    await collector.waitFor(count, expiryWaitLimitMs);

    return {
      deadlines: count, setupMs, passedDuringSetup: 0, firedWithinMs, durableWithinMs: collector.lastDurableAt - startedAt,
      expired: collector.lateness.length, latenessMs: percentilesOf(collector.lateness), durableLatenessMs: null, batchSizes: distributionOf(batchSizes),
      appendMs: storeDelta(storeAtStart, store.reading()).appendMs,
    };
  } finally {
    collector.stop();
    await runtime.stop();
    sqliteFile.remove();
  }
}

async function expireOnSystemClock(count: number, setupMsPerRequest: number, writer: SqliteWriter, trial: string): Promise<ExpiryRun> {
  collectGarbage();
  const sqliteFile = openTemporarySqliteStore(writer);
  const store = new TimedEventStore(sqliteFile.store);
  let batchSizes: number[] = [];
  const runtime = await createElicitationRuntime({ store, clock: new SystemClock(), security: benchmarkSecurity, onBatch: (size) => batchSizes.push(size) });
  const collector = new ExpiryCollector(runtime);

  try {
    // Twice the estimated setup time plus a second, so the deadlines fall after the last request.
    const firstDeadline = Date.now() + Math.ceil(2 * setupMsPerRequest * count) + 1_000;
    const deadlineOf = (sequence: number) => firstDeadline + Math.floor((sequence * deadlineSpreadMs) / count);
    const { deadlines, setupMs } = await requestAll(`deadlines on the SystemClock, SQLite committing ${committingOn(writer)}${trial}`, count, (sequence) =>
      runtime.request(requestInput(sequence, Math.max(1, deadlineOf(sequence) - Date.now()))),
    );
    const setupEndedAt = Date.now();
    batchSizes = [];
    const storeAtStart = store.reading();

    const earliest = minimumOf(deadlines);
    const waitForFirstMs = Math.max(0, earliest - Date.now());
    await collector.waitFor(count, waitForFirstMs + 1_000 + expiryWaitLimitMs);
    const lastFiredAt = collector.lateness.length === 0 ? Number.NaN : maximumOf(deadlines) + maximumOf(collector.lateness);

    return {
      deadlines: count,
      setupMs,
      passedDuringSetup: deadlines.filter((deadline) => deadline <= setupEndedAt).length,
      firedWithinMs: lastFiredAt - earliest,
      durableWithinMs: collector.lastDurableEpoch - earliest,
      expired: collector.lateness.length,
      latenessMs: percentilesOf(collector.lateness),
      durableLatenessMs: percentilesOf(collector.durableLateness),
      batchSizes: distributionOf(batchSizes),
      appendMs: storeDelta(storeAtStart, store.reading()).appendMs,
    };
  } finally {
    collector.stop();
    await runtime.stop();
    sqliteFile.remove();
  }
}

async function expireBaselineOnSimulatedClock(count: number): Promise<ExpiryRun> {
  collectGarbage();
  const startTime = Date.UTC(2026, 0, 1);
  let time = startTime;
  const baseline = new BaselineElicitations({ now: () => time, bucket: benchmarkBucket() });
  const { setupMs } = await requestAll('deadlines in the baseline, simulated time', count, (sequence) => baseline.request(requestInput(sequence, 60_000 + (sequence % 1000))));

  const firstEvent = baseline.events.length;
  const startedAt = performance.now();
  baseline.advanceTo(startTime + 61_000);
  time = startTime + 61_000;
  const firedWithinMs = performance.now() - startedAt;
  const expired = baseline.events.slice(firstEvent).filter((event) => event.type === 'elicitation.expired');

  return {
    deadlines: count, setupMs, passedDuringSetup: 0, firedWithinMs, durableWithinMs: firedWithinMs, expired: expired.length,
    latenessMs: percentilesOf(expired.map((event) => event.time - (event.data.deadline as number))), durableLatenessMs: null, batchSizes: null, appendMs: null,
  };
}

async function expireBaselineOnSystemClock(count: number, setupMsPerRequest: number, trial: string): Promise<ExpiryRun> {
  collectGarbage();
  const baseline = new BaselineElicitations({ wallClockTimers: true, bucket: benchmarkBucket() });
  const firstDeadline = Date.now() + Math.ceil(2 * setupMsPerRequest * count) + 1_000;
  const deadlineOf = (sequence: number) => firstDeadline + Math.floor((sequence * deadlineSpreadMs) / count);
  const { deadlines, setupMs } = await requestAll(`deadlines in the baseline, wall clock${trial}`, count, (sequence) =>
    baseline.request(requestInput(sequence, Math.max(1, deadlineOf(sequence) - Date.now()))),
  );
  const setupEndedAt = Date.now();

  const lastDeadline = maximumOf(deadlines);
  while (baseline.pendingCount > 0 && Date.now() < lastDeadline + expiryWaitLimitMs) await new Promise((resolve) => setTimeout(resolve, 20));
  baseline.stop();
  const expired = baseline.events.filter((event) => event.type === 'elicitation.expired');
  const lateness = expired.map((event) => event.time - (event.data.deadline as number));
  const firedWithinMs = maximumOf(expired.map((event) => event.time)) - minimumOf(deadlines);

  return {
    deadlines: count, setupMs, passedDuringSetup: deadlines.filter((deadline) => deadline <= setupEndedAt).length,
    firedWithinMs, durableWithinMs: firedWithinMs, expired: expired.length,
    latenessMs: percentilesOf(lateness), durableLatenessMs: null, batchSizes: null, appendMs: null,
  };
}
