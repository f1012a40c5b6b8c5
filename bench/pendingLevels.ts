/**
 * The cost of a lifecycle as the number of pending elicitations grows. The pending set grows
 * level by level, each elicitation with a day to run so that none expires. At each level the
 * heap bytes per added elicitation and closed-loop lifecycles are measured. A level that would
 * not fit in the heap or in the time left is skipped with the reason instead of run.
 */
import { freemem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { runClosedLoop, type ClosedLoopResult, type LifecycleTarget } from './closedLoop.js';
import { collectedHeapBytes, storeDelta, type StoreReading } from './instruments.js';
import { ProgressBar } from './progress.js';
import { requestInput, type BenchSizes } from './workload.js';

const pendingTimeoutMs = 24 * 3_600_000;
const lifecycleTimeoutMs = 3_600_000;
/** Requests in flight at once while growing; below the runtime's default backlog limit of 100,000. */
const growChunk = 8_192;
/** Sequence numbers of pending elicitations start here, apart from those of measured lifecycles. */
const pendingSequenceStart = 100_000_000;
/** Estimates multiply by this before a level is judged to fit, since both grow as the heap grows. */
const estimateMargin = 1.3;

export interface PendingLevel {
  readonly pending: number;
  /** Wall ms to request the elicitations added to reach this level. */
  readonly setupMs: number;
  readonly setupMicrosecondsPerRequest: number | null;
  readonly heapUsedBytes: number;
  /** Heap growth over the elicitations added to reach this level, per elicitation. */
  readonly heapBytesPerPending: number | null;
  readonly lifecycle: ClosedLoopResult;
  /** Time inside the store's `append` per lifecycle, where the subject has a store. */
  readonly storeAppendMicrosecondsPerLifecycle: number | null;
}

export interface SkippedLevel {
  readonly pending: number;
  readonly reason: string;
}

export interface ScalingSubject {
  readonly label: string;
  readonly target: LifecycleTarget;
  readonly readStore?: () => StoreReading;
  /** Called before each heap measurement, to drop what a durable store would hold instead of the heap. */
  readonly beforeHeapMeasurement?: () => void;
  /** Defaults for the first estimates, before any level was measured. */
  readonly guessedSetupMicrosecondsPerRequest: number;
  readonly guessedBytesPerPending: number;
  readonly guessedMicrosecondsPerLifecycle: number;
}

export interface LevelObserver {
  level(level: PendingLevel): void;
  skipped(level: SkippedLevel): void;
  /** Heap growth per settled lifecycle at level 0, kept by the subject after it settled. */
  retainedPerSettled(bytes: number): void;
}

/**
 * Grows `subject` through `sizes.pendingLevels` and stops at the first level that does not
 * fit in the heap or would not finish by `deadlineEpochMs`.
 */
export async function measureLevels(subject: ScalingSubject, sizes: BenchSizes, deadlineEpochMs: number, observer: LevelObserver): Promise<void> {
  let pending = 0;
  let nextSequence = pendingSequenceStart;
  let setupMicrosecondsPerRequest = subject.guessedSetupMicrosecondsPerRequest;
  let bytesPerPending = subject.guessedBytesPerPending;
  let microsecondsPerLifecycle = subject.guessedMicrosecondsPerLifecycle;

  // A warm-up as long as one measurement, so level 0 is not measured on code still being compiled.
  await runClosedLoop(subject.target, { lifecycles: Math.max(sizes.warmupLifecycles, sizes.lifecyclesPerLevel), concurrency: sizes.concurrency, timeoutMs: lifecycleTimeoutMs, firstSequence: 50_000_000 });

  for (const [index, level] of sizes.pendingLevels.entries()) {
    const added = level - pending;
    const misfit = levelMisfit(level, added, setupMicrosecondsPerRequest, bytesPerPending, (microsecondsPerLifecycle * sizes.lifecyclesPerLevel) / 1000, deadlineEpochMs);
    if (misfit !== undefined) {
      for (const skipped of sizes.pendingLevels.slice(index)) observer.skipped({ pending: skipped, reason: skipped === level ? misfit : `skipped after ${level.toLocaleString('en-US')} did not fit` });
      return;
    }

    subject.beforeHeapMeasurement?.();
    const heapBefore = collectedHeapBytes();
    const setupStartedAt = performance.now();
    if (added > 0) {
      const progress = new ProgressBar(`${subject.label}: growing to ${level.toLocaleString('en-US')} pending`, added);
      for (let done = 0; done < added; done += growChunk) {
        const chunk: Promise<unknown>[] = [];
        for (let offset = 0; offset < Math.min(growChunk, added - done); offset++) chunk.push(subject.target.request(requestInput(nextSequence++, pendingTimeoutMs)));
        await Promise.all(chunk);
        progress.update(done + chunk.length);
      }
      progress.finish();
    }
    const setupMs = performance.now() - setupStartedAt;
    subject.beforeHeapMeasurement?.();
    const heapUsedBytes = collectedHeapBytes();
    pending = level;

    const storeBefore = subject.readStore?.();
    const lifecycle = await runClosedLoop(subject.target, {
      lifecycles: sizes.lifecyclesPerLevel,
      concurrency: sizes.concurrency,
      timeoutMs: lifecycleTimeoutMs,
      firstSequence: index * sizes.lifecyclesPerLevel,
      progress: new ProgressBar(`${subject.label}: lifecycles at ${level.toLocaleString('en-US')} pending`, sizes.lifecyclesPerLevel),
    });
    const written = storeBefore === undefined ? undefined : storeDelta(storeBefore, subject.readStore!());
    if (level === 0) {
      subject.beforeHeapMeasurement?.();
      observer.retainedPerSettled((collectedHeapBytes() - heapUsedBytes) / lifecycle.lifecycles);
    }

    if (added > 0) {
      setupMicrosecondsPerRequest = (setupMs * 1000) / added;
      bytesPerPending = (heapUsedBytes - heapBefore) / added;
    }
    microsecondsPerLifecycle = lifecycle.microsecondsPerLifecycle;
    observer.level({
      pending: level,
      setupMs,
      setupMicrosecondsPerRequest: added > 0 ? setupMicrosecondsPerRequest : null,
      heapUsedBytes,
      heapBytesPerPending: added > 0 ? bytesPerPending : null,
      lifecycle,
      storeAppendMicrosecondsPerLifecycle: written === undefined ? null : (written.appendMs * 1000) / lifecycle.lifecycles,
    });
  }
}

/** Returns why growing by `added` would not fit in the heap or in the time left, or `undefined` if it fits. */
function levelMisfit(level: number, added: number, setupMicrosecondsPerRequest: number, bytesPerPending: number, measureMs: number, deadlineEpochMs: number): string | undefined {
  const heap = getHeapStatistics();
  const neededBytes = added * bytesPerPending * estimateMargin;
  const availableBytes = Math.min(heap.heap_size_limit - heap.used_heap_size, freemem() - 512 * 2 ** 20);
  if (neededBytes > availableBytes) {
    return `does not fit in memory: ~${gigabytes(neededBytes)} GB more heap needed (${Math.round(bytesPerPending)} bytes per pending, as measured at the previous level), ${gigabytes(availableBytes)} GB available (heap limit ${gigabytes(heap.heap_size_limit)} GB)`;
  }

  const neededMs = ((added * setupMicrosecondsPerRequest) / 1000 + 3 * measureMs) * estimateMargin;
  const leftMs = deadlineEpochMs - Date.now();
  if (neededMs > leftMs) {
    return `does not fit in time: ~${Math.round(neededMs / 1000)} s needed to reach ${level.toLocaleString('en-US')} pending and measure (${Math.round(setupMicrosecondsPerRequest)} µs per request, as measured at the previous level), ${Math.max(0, Math.round(leftMs / 1000))} s left of the run's time budget`;
  }
  return undefined;
}

function gigabytes(bytes: number): string {
  return (bytes / 2 ** 30).toFixed(1);
}
