/**
 * The real system a property drives: a runtime on a simulated clock and an in-memory
 * store, the ids and response tokens it returned, and every event `transitions$` emitted.
 * Index `ref` of `ids` and `tokens` is the elicitation with the same `ref` in the model.
 */
import type { Subscription } from 'rxjs';
import {
  createElicitationRuntime,
  MemoryEventStore,
  SimulatedClock,
  type DomainEvent,
  type ElicitationRuntime,
} from '../../src/index.js';
import type { RateLimitSettings, SecurityLevel } from './referenceModel.js';

/** 2026-01-01T00:00:00Z, the start of every simulated run. */
export const startTime = Date.UTC(2026, 0, 1);

/** Rate limits that no generated run can reach. */
export const unreachableRateLimits: RateLimitSettings = {
  requests: { perMinute: 0, burst: 1_000_000 },
  responses: { perMinute: 0, burst: 1_000_000 },
};

const signingSecret = 'property-tests-signing-secret-0123456789';

/**
 * An audit budget no run exhausts, so every refusal is written as its own event, as the
 * model predicts. NOTE: the summaries written past the budget are not modelled here.
 */
const auditEveryRefusal = { perAgent: { perMinute: 0, burst: 1_000_000 } };

export interface RuntimeUnderTest {
  readonly runtime: ElicitationRuntime;
  readonly store: MemoryEventStore;
  readonly clock: SimulatedClock;
  readonly ids: string[];
  readonly tokens: (string | undefined)[];
  readonly transitions: DomainEvent[];
  readonly subscription: Subscription;
}

/**
 * How the runtime runs its machines: `stepper` without an `inspect` observer, as most hosts
 * run it, or `actors`, with a no-op observer, which makes it spawn a real actor per command.
 */
export type MachineRunner = 'stepper' | 'actors';

export async function startRuntimeUnderTest(level: SecurityLevel, rateLimits: RateLimitSettings, runner: MachineRunner = 'stepper'): Promise<RuntimeUnderTest> {
  const store = new MemoryEventStore();
  const clock = new SimulatedClock(startTime);
  const security = { level, secret: signingSecret, rateLimits, audit: auditEveryRefusal };
  const runtime = await createElicitationRuntime({ store, clock, security, ...(runner === 'actors' ? { inspect: () => undefined } : {}) });

  const transitions: DomainEvent[] = [];
  const subscription = runtime.transitions$.subscribe((event) => transitions.push(event));
  return { runtime, store, clock, ids: [], tokens: [], transitions, subscription };
}

/** Stops the runtime, which writes every queued event, and ends the subscription. */
export async function stopRuntimeUnderTest(real: RuntimeUnderTest): Promise<void> {
  await real.runtime.stop();
  real.subscription.unsubscribe();
}
