/**
 * Heap kept per settled elicitation: the runtime on `SqliteEventStore` with every settled
 * elicitation in memory (the default), and with `limits.maxSettledInMemory`, which keeps only
 * the most recently settled ones and reads older ones back from the store.
 */
import { createElicitationRuntime, SimulatedClock, type ElicitationRuntimeOptions } from '../src/index.js';
import { runClosedLoop } from './closedLoop.js';
import { collectedHeapBytes, openTemporarySqliteStore } from './instruments.js';
import { ProgressBar } from './progress.js';
import { benchmarkSecurity, type BenchSizes } from './workload.js';

/** The limit measured, small against the lifecycles run, so that most settled ones are dropped. */
export const measuredSettledLimit = 1_000;
const lifecycleTimeoutMs = 3_600_000;

export interface SettledMemoryRun {
  /** `limits.maxSettledInMemory`, or null for no limit. */
  readonly maxSettledInMemory: number | null;
  readonly lifecycles: number;
  /** Heap growth over the measured lifecycles, after a full collection, per lifecycle. */
  readonly heapBytesPerSettled: number;
  readonly lifecyclesPerSecond: number;
}

export interface SettledMemoryResults {
  readonly unlimited: SettledMemoryRun;
  readonly limited: SettledMemoryRun;
}

export async function measureSettledMemory(sizes: BenchSizes): Promise<SettledMemoryResults> {
  const unlimited = await measureRun(sizes, null);
  const limited = await measureRun(sizes, measuredSettledLimit);
  return { unlimited, limited };
}

async function measureRun(sizes: BenchSizes, maxSettledInMemory: number | null): Promise<SettledMemoryRun> {
  const sqliteFile = openTemporarySqliteStore();
  const options: ElicitationRuntimeOptions = {
    store: sqliteFile.store,
    clock: new SimulatedClock(Date.UTC(2026, 0, 1)),
    security: benchmarkSecurity,
    ...(maxSettledInMemory === null ? {} : { limits: { maxSettledInMemory } }),
  };
  const runtime = await createElicitationRuntime(options);
  const label = maxSettledInMemory === null ? 'every settled elicitation in memory' : `at most ${maxSettledInMemory.toLocaleString('en-US')} settled in memory`;
  const lifecycles = 2 * sizes.lifecyclesPerLevel;
  try {
    // The warm-up also fills the limit, so the measured lifecycles each drop one settled elicitation.
    await runClosedLoop(runtime, { lifecycles: Math.max(sizes.warmupLifecycles, measuredSettledLimit), concurrency: sizes.concurrency, timeoutMs: lifecycleTimeoutMs, firstSequence: 70_000_000 });
    const heapBefore = collectedHeapBytes();
    const loop = await runClosedLoop(runtime, { lifecycles, concurrency: sizes.concurrency, timeoutMs: lifecycleTimeoutMs, firstSequence: 80_000_000, progress: new ProgressBar(label, lifecycles) });
    const heapAfter = collectedHeapBytes();
    return { maxSettledInMemory, lifecycles: loop.lifecycles, heapBytesPerSettled: (heapAfter - heapBefore) / loop.lifecycles, lifecyclesPerSecond: loop.lifecyclesPerSecond };
  } finally {
    await runtime.stop();
    sqliteFile.remove();
  }
}
