/**
 * The workload every measurement shares: who requests from whom, with which schema and content, at
 * which security settings, and the sizes of a full run and of a `--quick` run.
 */
import type { AcceptInput, RequestInput, SecurityOptions } from '../src/index.js';

/** Requests rotate over this many requester/responder pairs, so per-agent maps hold realistic counts. */
export const agentPairs = 64;

export const approvalSchema = {
  type: 'object',
  properties: { approved: { type: 'boolean' }, comment: { type: 'string', maxLength: 200 } },
  required: ['approved'],
  additionalProperties: false,
} as const;

export const approvalContent = { approved: true, comment: 'ship it' };

/**
 * Security `standard`: every command takes a rate-limit token and refusals are audited.
 * The buckets are sized so that a benchmark at full speed is never refused, because a
 * refused command would measure the refusal path instead of a lifecycle.
 */
export const benchmarkSecurity: SecurityOptions = {
  level: 'standard',
  rateLimits: {
    requests: { perMinute: 60_000_000, burst: 1_000_000 },
    responses: { perMinute: 60_000_000, burst: 1_000_000 },
  },
};

export function requestInput(sequence: number, timeoutMs: number): RequestInput {
  const pair = sequence % agentPairs;
  return { from: `requester-${pair}`, to: `responder-${pair}`, message: `Deploy build ${sequence}?`, schema: approvalSchema, timeoutMs };
}

export function acceptInput(id: string, sequence: number): AcceptInput {
  return { id, agent: `responder-${sequence % agentPairs}`, content: approvalContent };
}

/** Sizes of one run; `--quick` shrinks every phase to finish in well under a minute. */
export interface BenchSizes {
  readonly quick: boolean;
  /** Lifecycles in flight at once in every closed-loop measurement. */
  readonly concurrency: number;
  readonly warmupLifecycles: number;
  readonly throughputLifecycles: number;
  readonly offeredCommandsPerSecond: number;
  readonly latencyWarmupMs: number;
  readonly latencyDurationMs: number;
  readonly pendingLevels: readonly number[];
  readonly lifecyclesPerLevel: number;
  readonly expiryDeadlines: number;
  /** How many times the throughput, latency and expiry measurements run. Their targets judge the median trial. */
  readonly trials: number;
  /** The whole run should end within this many ms; later phases skip what would not fit. */
  readonly timeBudgetMs: number;
}

export const fullSizes: BenchSizes = {
  quick: false,
  concurrency: 256,
  warmupLifecycles: 10_000,
  throughputLifecycles: 40_000,
  offeredCommandsPerSecond: 5_000,
  latencyWarmupMs: 1_000,
  latencyDurationMs: 10_000,
  pendingLevels: [0, 10_000, 100_000, 1_000_000],
  lifecyclesPerLevel: 15_000,
  expiryDeadlines: 100_000,
  trials: 3,
  timeBudgetMs: 285_000,
};

export const quickSizes: BenchSizes = {
  quick: true,
  concurrency: 256,
  warmupLifecycles: 1_000,
  throughputLifecycles: 5_000,
  offeredCommandsPerSecond: 5_000,
  latencyWarmupMs: 300,
  latencyDurationMs: 2_000,
  pendingLevels: [0, 1_000, 10_000],
  lifecyclesPerLevel: 3_000,
  expiryDeadlines: 5_000,
  trials: 1,
  timeBudgetMs: 60_000,
};
