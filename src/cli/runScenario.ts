/**
 * Runs a checked scenario through a runtime. Lines run in file order; the clock moves to
 * each line's `at` (firing the deadlines on the way) before it runs, and the commands of
 * one `at` go out together so that their events share a batch.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SimulatedClock, SystemClock, type RuntimeClock } from '../runtime/clock.js';
import { createElicitationRuntime, type ElicitationRuntime, type RequestResult } from '../runtime/elicitationRuntime.js';
import { isElicitationError, type ErrorCode } from '../runtime/errors.js';
import type { EventStore } from '../store/eventStore.js';
import type { SecurityOptions } from '../security/securityPolicy.js';
import type { Logger } from './logger.js';
import { buildReport, refOf, scenarioEpoch, type Report, type ReportError } from './report.js';
import type { CommandLine, Scenario } from './scenario.js';

export interface TraceLine {
  readonly line: number;
  readonly op: string;
  readonly ref: string;
  readonly ok: boolean;
  readonly code: ErrorCode | null;
}

export interface RunOptions {
  readonly scenario: Scenario;
  readonly store: EventStore;
  readonly realtime?: boolean;
  /** Called as each command's promise settles. */
  readonly trace?: (line: TraceLine) => void;
  readonly logger: Logger;
  readonly environment?: NodeJS.ProcessEnv;
  /** The security options; derived from the scenario and the environment when omitted. */
  readonly security?: SecurityOptions;
  /** Stops the run between lines, for SIGINT and SIGTERM. */
  readonly signal?: AbortSignal;
}

export interface RunResult {
  readonly report: Report;
  /** How many events the store held before the run. */
  readonly eventsBefore: number;
  /** Whether the run stopped early on `signal`. */
  readonly interrupted: boolean;
}

/** What a ref names: a request still being made, or an elicitation and its token. */
type RefTarget = { readonly id: string; readonly token: string | undefined };

export async function runScenario(options: RunOptions): Promise<RunResult> {
  const { scenario, store, logger } = options;
  const eventsBefore = await store.lastPosition();
  const clock = await startClock(store, options.realtime ?? false);
  const runtime = await createElicitationRuntime({ store, clock, security: options.security ?? securityOf(scenario, options.environment ?? process.env, logger) });

  const refs = new Map<string, RefTarget>();
  for (const record of runtime.elicitations()) refs.set(refOf(record), { id: record.id, token: undefined });
  const requested = new Map<string, Promise<void>>();
  const errors: ReportError[] = [];
  let outstanding: Promise<void>[] = [];
  let currentAt = 0;
  let interrupted = false;

  const settleOutstanding = async () => {
    await Promise.all(outstanding);
    outstanding = [];
  };

  const record = (line: CommandLine, code: ErrorCode | null) => {
    if (code !== null) errors.push({ line: line.line, op: line.op, ref: line.ref, code });
    options.trace?.({ line: line.line, op: line.op, ref: line.ref, ok: code === null, code });
  };

  const track = (line: CommandLine, command: Promise<unknown>) => {
    outstanding.push(
      command.then(
        () => record(line, null),
        (error: unknown) => {
          if (!isElicitationError(error)) throw error;
          record(line, error.code);
        },
      ),
    );
  };

  try {
    const start = clock.now();
    for (const line of scenario.commands) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }

      if (line.at > currentAt) {
        await settleOutstanding();
        const moved = await moveClock(clock, start + line.at, options.realtime ?? false, options.signal);
        if (!moved) {
          interrupted = true;
          break;
        }
        currentAt = line.at;
      }

      // A command on a ref whose request is still being made waits for its id.
      for (const ref of [line.ref, tokenRefOf(line)]) {
        if (ref !== undefined && requested.has(ref)) await settleOutstanding();
      }

      if (line.op === 'request') {
        const request = runtime.request({ ...line, metadata: { ...line.metadata, ref: line.ref } });
        const made = request.then(
          (result: RequestResult) => void refs.set(line.ref, { id: result.id, token: result.responseToken }),
          // A refused request leaves its ref naming nothing, so later commands on it get NOT_FOUND.
          () => void refs.set(line.ref, { id: randomUUID(), token: undefined }),
        );
        requested.set(line.ref, made);
        void made.finally(() => requested.delete(line.ref));
        track(line, request);
        continue;
      }
      track(line, sendCommand(runtime, line, refs));
    }
    await settleOutstanding();
  } finally {
    await runtime.stop();
  }

  const report = buildReport(runtime.elicitations(), await store.lastPosition(), errors);
  return { report, eventsBefore, interrupted };
}

function sendCommand(runtime: ElicitationRuntime, line: Exclude<CommandLine, { op: 'request' }>, refs: Map<string, RefTarget>): Promise<unknown> {
  const target = refs.get(line.ref)!;
  if (line.op === 'withdraw') return runtime.withdraw({ id: target.id, agent: line.agent });

  const token = line.token ?? tokenFor(runtime, refs.get(line.tokenOf ?? line.ref)!);
  const response = token === undefined ? { id: target.id, agent: line.agent } : { id: target.id, agent: line.agent, token };
  switch (line.op) {
    case 'accept':
      return runtime.accept({ ...response, content: line.content });
    case 'decline':
      return runtime.decline(response);
    case 'cancel':
      return runtime.cancel(response);
  }
}

/** The real token of a ref: from its request, or signed anew for one made in an earlier run. */
function tokenFor(runtime: ElicitationRuntime, target: RefTarget): string | undefined {
  if (target.token !== undefined) return target.token;
  if (runtime.get(target.id) === undefined) return undefined;
  return runtime.issueResponseToken(target.id);
}

function tokenRefOf(line: CommandLine): string | undefined {
  return 'tokenOf' in line ? line.tokenOf : undefined;
}

async function startClock(store: EventStore, realtime: boolean): Promise<RuntimeClock> {
  if (realtime) return new SystemClock();
  return new SimulatedClock((await store.lastTime()) ?? scenarioEpoch);
}

/** Moves the clock to `time`, or waits for it on the wall clock; false if `signal` aborted the wait. */
async function moveClock(clock: RuntimeClock, time: number, realtime: boolean, signal: AbortSignal | undefined): Promise<boolean> {
  if (clock instanceof SimulatedClock) {
    clock.advanceTo(time);
    return true;
  }
  if (!realtime) return true;

  try {
    await sleep(Math.max(0, time - clock.now()), undefined, signal ? { signal } : {});
    return true;
  } catch (error) {
    if ((error as Error).name === 'AbortError') return false;
    throw error;
  }
}

/** The runtime's security options for a scenario: its config line, and a secret at `strict`. */
export function securityOf(scenario: Scenario, environment: NodeJS.ProcessEnv, logger: Logger): SecurityOptions {
  const level = scenario.config?.security ?? 'standard';
  const rateLimits = scenario.config?.rateLimit;
  const base = { level, ...(rateLimits === undefined ? {} : { rateLimits }) };
  if (level !== 'strict' || (environment.ELICIT_SECRET ?? '') !== '') return { ...base, secret: environment.ELICIT_SECRET };

  logger.info('ELICIT_SECRET is not set, so response tokens are signed with a random secret made for this run; tokens from it will not verify in a later run');
  return { ...base, secret: randomBytes(32).toString('base64url') };
}
