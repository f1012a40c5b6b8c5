/**
 * Cost per lifecycle and heap per pending elicitation at 0 up to 1,000,000 pending. The
 * runtime is measured in a child process, so its heap limit can be set above Node's default
 * (4,144 MB measured with Node 20.20 on a 23.5 GB machine) and the heap of a million pending
 * elicitations is released when the child exits. The baseline is measured in this process.
 */
import { fork } from 'node:child_process';
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { BaselineElicitations } from './baseline.js';
import { benchmarkBucket } from './lifecycleThroughput.js';
import { measureLevels, type PendingLevel, type SkippedLevel } from './pendingLevels.js';
import type { BenchSizes } from './workload.js';

export interface ScalingRun {
  readonly heapLimitBytes: number;
  readonly levels: PendingLevel[];
  readonly skipped: SkippedLevel[];
  /** Heap growth per settled lifecycle, measured at level 0. */
  readonly retainedBytesPerSettled: number | null;
  /** Why the measurement ended early, if it did: a crash of the child or an error. */
  readonly failure: string | null;
}

export interface PendingScalingResults {
  readonly runtime: ScalingRun;
  readonly baseline: ScalingRun;
}

/** A message from the child process, one per measured or skipped level. */
export type WorkerMessage =
  | { readonly kind: 'started'; readonly heapLimitBytes: number }
  | { readonly kind: 'level'; readonly level: PendingLevel }
  | { readonly kind: 'skipped'; readonly skipped: SkippedLevel }
  | { readonly kind: 'retained'; readonly bytes: number }
  | { readonly kind: 'failed'; readonly reason: string };

/** The child process's task, passed as its one argument in JSON. */
export interface WorkerTask {
  readonly sizes: BenchSizes;
  readonly deadlineEpochMs: number;
}

/** Three quarters of the machine's memory, at most 16 GiB, for the child's V8 heap. */
function childHeapLimitMegabytes(): number {
  return Math.floor(Math.min(totalmem() * 0.75, 16 * 2 ** 30) / 2 ** 20);
}

/** Measures the runtime first, then the baseline in the time left, since the runtime's levels are the figures that matter. */
export async function measurePendingScaling(sizes: BenchSizes, deadlineEpochMs: number): Promise<PendingScalingResults> {
  const runtime = await measureRuntimeLevels(sizes, deadlineEpochMs);
  const baseline = await measureBaselineLevels(sizes, deadlineEpochMs);
  return { runtime, baseline };
}

async function measureBaselineLevels(sizes: BenchSizes, deadlineEpochMs: number): Promise<ScalingRun> {
  const run = { heapLimitBytes: getHeapStatistics().heap_size_limit, levels: [] as PendingLevel[], skipped: [] as SkippedLevel[], retainedBytesPerSettled: null as number | null, failure: null };
  const target = new BaselineElicitations({ bucket: benchmarkBucket() });
  const subject = {
    label: 'baseline',
    target,
    // The runtime's events go to SQLite, outside the heap; the baseline's array stands for that store.
    beforeHeapMeasurement: () => target.discardWrittenEvents(),
    guessedSetupMicrosecondsPerRequest: 30,
    guessedBytesPerPending: 1_500,
    guessedMicrosecondsPerLifecycle: 100,
  };
  await measureLevels(subject, sizes, deadlineEpochMs, {
    level: (level) => run.levels.push(level),
    skipped: (skipped) => run.skipped.push(skipped),
    retainedPerSettled: (bytes) => (run.retainedBytesPerSettled = bytes),
  });
  return run;
}

function measureRuntimeLevels(sizes: BenchSizes, deadlineEpochMs: number): Promise<ScalingRun> {
  const run = { heapLimitBytes: 0, levels: [] as PendingLevel[], skipped: [] as SkippedLevel[], retainedBytesPerSettled: null as number | null, failure: null as string | null };
  const task: WorkerTask = { sizes, deadlineEpochMs };
  const workerPath = fileURLToPath(new URL('./pendingScalingWorker.js', import.meta.url));

  return new Promise((resolve) => {
    // The child writes its progress bars to stderr; its stdout goes there too, so the JSON on stdout stays clean.
    const child = fork(workerPath, [JSON.stringify(task)], {
      execArgv: ['--expose-gc', `--max-old-space-size=${childHeapLimitMegabytes()}`],
      stdio: ['ignore', 2, 'inherit', 'ipc'],
    });
    child.on('message', (message: WorkerMessage) => {
      if (message.kind === 'started') run.heapLimitBytes = message.heapLimitBytes;
      else if (message.kind === 'level') run.levels.push(message.level);
      else if (message.kind === 'skipped') run.skipped.push(message.skipped);
      else if (message.kind === 'retained') run.retainedBytesPerSettled = message.bytes;
      else run.failure = message.reason;
    });
    child.on('exit', (code, signal) => {
      if (run.failure === null && code !== 0) run.failure = `the measuring process exited with ${signal ?? `code ${code}`} after ${run.levels.length} level(s)`;
      resolve(run);
    });
  });
}
