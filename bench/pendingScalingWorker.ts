/**
 * The child process of the pending-scaling measurement: one runtime with the normal
 * settings (SQLite store on a temporary file, durability `sync`, security `standard`,
 * the wall clock), grown level by level. It reports each level to its parent as it is
 * measured, so a crash at a large level still leaves the smaller ones.
 */
import { getHeapStatistics } from 'node:v8';
import { createElicitationRuntime } from '../src/index.js';
import { openTemporarySqliteStore, TimedEventStore } from './instruments.js';
import { measureLevels } from './pendingLevels.js';
import type { WorkerMessage, WorkerTask } from './pendingScaling.js';
import { benchmarkSecurity } from './workload.js';

const sends: Promise<void>[] = [];

/** Sends `message` to the parent; `main` waits for every send before the process exits. */
function report(message: WorkerMessage): void {
  sends.push(new Promise((resolve) => process.send!(message, undefined, undefined, () => resolve())));
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2]!) as WorkerTask;
  report({ kind: 'started', heapLimitBytes: getHeapStatistics().heap_size_limit });

  const sqliteFile = openTemporarySqliteStore();
  try {
    const store = new TimedEventStore(sqliteFile.store);
    const runtime = await createElicitationRuntime({ store, security: benchmarkSecurity });
    const subject = {
      label: 'runtime',
      target: runtime,
      readStore: () => store.reading(),
      guessedSetupMicrosecondsPerRequest: 150,
      guessedBytesPerPending: 8_000,
      guessedMicrosecondsPerLifecycle: 300,
    };
    await measureLevels(subject, task.sizes, task.deadlineEpochMs, {
      level: (level) => report({ kind: 'level', level }),
      skipped: (skipped) => report({ kind: 'skipped', skipped }),
      retainedPerSettled: (bytes) => report({ kind: 'retained', bytes }),
    });
    // No runtime.stop(): with a million actors it takes tens of seconds, and the process ends here anyway.
  } catch (error) {
    report({ kind: 'failed', reason: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  } finally {
    sqliteFile.remove();
  }
  await Promise.all(sends);
  process.exit(0);
}

void main();
