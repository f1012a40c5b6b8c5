/**
 * The closed-loop driver: a fixed number of workers, each running request-then-accept
 * lifecycles back to back, so that many lifecycles are in flight and group commit can batch.
 */
import { isElicitationError, type AcceptInput, type RequestInput } from '../src/index.js';
import type { ProgressBar } from './progress.js';
import { GcPauses } from './instruments.js';
import { acceptInput, requestInput } from './workload.js';

/** The part of the runtime's API that the driver calls, which the baseline also implements. */
export interface LifecycleTarget {
  request(input: RequestInput): Promise<{ readonly id: string }>;
  accept(input: AcceptInput): Promise<unknown>;
}

export interface ClosedLoopResult {
  readonly lifecycles: number;
  readonly elapsedMs: number;
  readonly lifecyclesPerSecond: number;
  /** Wall time per lifecycle: elapsed time divided by lifecycles completed. */
  readonly microsecondsPerLifecycle: number;
  /** CPU time (user + system, all threads) per lifecycle. */
  readonly cpuMicrosecondsPerLifecycle: number;
  readonly gcPauseMs: number;
  /** Commands refused, by error code; a clean run has none. */
  readonly errors: Readonly<Record<string, number>>;
}

export interface ClosedLoopOptions {
  readonly lifecycles: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Added to each lifecycle's sequence number, so consecutive runs use fresh messages. */
  readonly firstSequence?: number;
  readonly progress?: ProgressBar;
}

export async function runClosedLoop(target: LifecycleTarget, options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const errors: Record<string, number> = {};
  let started = 0;
  let completed = 0;
  const firstSequence = options.firstSequence ?? 0;

  const worker = async (): Promise<void> => {
    while (started < options.lifecycles) {
      const sequence = firstSequence + started++;
      try {
        const { id } = await target.request(requestInput(sequence, options.timeoutMs));
        await target.accept(acceptInput(id, sequence));
        completed += 1;
      } catch (error) {
        const code = isElicitationError(error) ? error.code : 'THROWN';
        errors[code] = (errors[code] ?? 0) + 1;
        if (code === 'THROWN') throw error;
      }
      if ((completed & 255) === 0) options.progress?.update(completed);
    }
  };

  const gc = new GcPauses().start();
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  const { pauseMs } = await gc.stop();
  options.progress?.finish();

  return {
    lifecycles: completed,
    elapsedMs,
    lifecyclesPerSecond: (completed / elapsedMs) * 1000,
    microsecondsPerLifecycle: (elapsedMs * 1000) / completed,
    cpuMicrosecondsPerLifecycle: (cpu.user + cpu.system) / completed,
    gcPauseMs: pauseMs,
    errors,
  };
}
