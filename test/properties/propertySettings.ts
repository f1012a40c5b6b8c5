/**
 * How many runs the properties make and which run to replay, read from the environment.
 * `FC_RUNS` is the number of runs per property (default 100). `FC_SEED`, `FC_PATH` and
 * `FC_REPLAY_PATH` are the three values a failure prints, and replay it. `FC_VERBOSE` is
 * 0, 1 or 2; the default 1 lists every failing command sequence met while shrinking.
 * `scripts/test-props.mjs` sets them from flags.
 */
import * as fc from 'fast-check';

function readInteger(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return undefined;

  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} is ${JSON.stringify(text)}; set it to an integer or unset it`);
  return value;
}

function readText(name: string): string | undefined {
  const text = process.env[name];
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

const runs = readInteger('FC_RUNS') ?? 100;
if (runs < 1) throw new Error(`FC_RUNS is ${runs}; set it to 1 or more`);
const verbosity = readInteger('FC_VERBOSE') ?? fc.VerbosityLevel.Verbose;

export const propertySettings = {
  runs,
  seed: readInteger('FC_SEED'),
  path: readText('FC_PATH'),
  replayPath: readText('FC_REPLAY_PATH'),
  verbose: verbosity as fc.VerbosityLevel,
};

/**
 * How long fast-check may spend on one property, shrinking included. When it runs out
 * while shrinking, it still reports the smallest failing sequence found so far.
 * NOTE: sized from about 50 ms a run (up to 50 commands) measured on one machine.
 */
const propertyTimeLimitMs = 50_000 + runs * 200;

/** Per run: a command whose promise never settles fails the run instead of hanging the suite. */
const runTimeoutMs = 10_000;

/** Builds the `fc.assert` parameters that every property of this folder uses. */
export function assertParameters<T>(): fc.Parameters<T> {
  const { seed, path } = propertySettings;
  return {
    numRuns: propertySettings.runs,
    verbose: propertySettings.verbose,
    timeout: runTimeoutMs,
    interruptAfterTimeLimit: propertyTimeLimitMs,
    ...(seed === undefined ? {} : { seed }),
    ...(path === undefined ? {} : { path, endOnFailure: true }),
  };
}

/** Returns the vitest timeout of a property: fast-check's own limit plus time to print its report. */
export function testTimeoutMs(): number {
  return propertyTimeLimitMs + 15_000;
}
