#!/usr/bin/env node
/**
 * The `elicit` command: run scenario files through the runtime, and rebuild reports or
 * list events from a store. Exit codes: 0 done, 1 failed while running, 2 bad usage or a
 * bad scenario file (nothing run, nothing written).
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { replay } from '../store/projection.js';
import { SqliteEventStore } from '../store/sqliteEventStore.js';
import { createLogger, type Logger } from './logger.js';
import { buildReport, formatSummary, refOf } from './report.js';
import { runScenario, securityOf } from './runScenario.js';
import { resolveSecurityPolicy } from '../security/securityPolicy.js';
import { isElicitationError } from '../runtime/errors.js';
import { parseScenario, ScenarioError } from './scenario.js';

const usage = `Usage:
  elicit run SCENARIO.jsonl [--store FILE] [--report FILE] [--realtime] [--trace]
  elicit report --store FILE [--report FILE]
  elicit events --store FILE

  run      runs a scenario file; the store defaults to ./elicit.db and is continued if it exists
  report   rebuilds the report from a store alone; prints it as JSON unless --report is given
  events   prints the stored events, one JSON object a line, in position order

  --store FILE    the SQLite event store
  --report FILE   where to write the JSON report
  --realtime      run on the wall clock, waiting for each line's "at", instead of a simulated clock
  --trace         print one JSON line per command as it settles`;

class UsageError extends Error {}

/** A setting that makes the run impossible, such as a secret too short to sign tokens. */
class ConfigurationError extends Error {}

async function main(argv: readonly string[]): Promise<number> {
  const logger = createLogger();
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, logger);
      case 'report':
        return await reportCommand(rest);
      case 'events':
        return await eventsCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${usage}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      logger.error(`${error.message}\n${usage}`);
      return 2;
    }
    if (error instanceof ConfigurationError) {
      logger.error(`${error.message}; nothing was run or written`);
      return 2;
    }
    if (error instanceof ScenarioError) {
      logger.error(`${error.message}; nothing was run or written`);
      return 2;
    }
    logger.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

async function runCommand(args: readonly string[], logger: Logger): Promise<number> {
  const { values, positionals } = parse(args, { store: { type: 'string' }, report: { type: 'string' }, realtime: { type: 'boolean' }, trace: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('run takes exactly one scenario file');
  const scenarioPath = positionals[0]!;
  const storePath = (values.store as string | undefined) ?? 'elicit.db';

  const text = readText(scenarioPath);
  // Refs from the store are needed only to check a continued run; the store is not created for it.
  const scenario = parseScenario(text, existsSync(storePath) ? await storedRefs(storePath) : new Set());

  // Checked before the store is opened, so a bad secret creates no store file.
  const security = securityOf(scenario, process.env, logger);
  try {
    resolveSecurityPolicy(security);
  } catch (error) {
    if (isElicitationError(error)) throw new ConfigurationError(error.message);
    throw error;
  }

  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info(`${signal} received; stopping after the commands in flight and flushing the store`);
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const store = new SqliteEventStore(storePath);
  const trace = values.trace ? (line: object) => void process.stdout.write(`${JSON.stringify(line)}\n`) : undefined;
  const started = performance.now();
  const result = await runScenario({ scenario, store, logger, security, signal: abort.signal, realtime: values.realtime === true, ...(trace ? { trace } : {}) });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);

  if (values.report !== undefined) writeJson(values.report as string, result.report);
  process.stdout.write(`elicit run ${scenarioPath}: ${scenario.commands.length} commands in ${seconds} s, store ${storePath}\n`);
  process.stdout.write(`${formatSummary(result.report, result.eventsBefore)}\n`);
  if (values.report !== undefined) process.stdout.write(`report: ${values.report as string}\n`);
  return result.interrupted ? 130 : 0;
}

async function reportCommand(args: readonly string[]): Promise<number> {
  const { values } = parse(args, { store: { type: 'string' }, report: { type: 'string' } });
  const store = openExisting(values.store as string | undefined);
  try {
    const projection = await replay(store.read());
    const report = buildReport(projection.all(), store.lastPosition());
    if (values.report === undefined) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      writeJson(values.report as string, report);
      process.stdout.write(`${formatSummary(report)}\nreport: ${values.report as string}\n`);
    }
    return 0;
  } finally {
    store.close();
  }
}

async function eventsCommand(args: readonly string[]): Promise<number> {
  const { values } = parse(args, { store: { type: 'string' } });
  const store = openExisting(values.store as string | undefined);
  try {
    for (const event of store.read()) {
      if (!process.stdout.write(`${JSON.stringify(event)}\n`)) await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
    return 0;
  } finally {
    store.close();
  }
}

async function storedRefs(storePath: string): Promise<Set<string>> {
  const store = new SqliteEventStore(storePath);
  try {
    const projection = await replay(store.read());
    return new Set([...projection.all()].map(refOf));
  } finally {
    store.close();
  }
}

function openExisting(storePath: string | undefined): SqliteEventStore {
  if (storePath === undefined) throw new UsageError('--store FILE is required');
  if (!existsSync(storePath)) throw new UsageError(`the store ${storePath} does not exist; run a scenario with --store ${storePath} first`);
  return new SqliteEventStore(storePath);
}

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

function parse(args: readonly string[], options: OptionSpec) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the scenario file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

// A reader that closes the pipe early (`elicit events | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
