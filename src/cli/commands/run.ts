/**
 * `elicit run SCENARIO.jsonl`: checks a scenario file whole, runs it through the runtime on
 * the SQLite store and prints a summary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isElicitationError } from '../../runtime/errors.js';
import { resolveSecurityPolicy } from '../../security/securityPolicy.js';
import { replay } from '../../store/projection.js';
import { SqliteEventStore } from '../../store/sqliteEventStore.js';
import { ConfigurationError, parseOptions, UsageError, writeJson, type Command } from '../commandSupport.js';
import type { Logger } from '../logger.js';
import { formatSummary, refOf } from '../report.js';
import { runScenario, securityOf } from '../runScenario.js';
import { parseScenario } from '../scenario.js';

export const runCommand: Command = {
  synopsis: 'elicit run SCENARIO.jsonl [--store FILE] [--report FILE] [--realtime] [--trace]',
  summary: 'runs a scenario file; the store defaults to ./elicit.db and is continued if it exists',
  run,
};

async function run(args: readonly string[], logger: Logger): Promise<number> {
  const { values, positionals } = parseOptions(args, { store: { type: 'string' }, report: { type: 'string' }, realtime: { type: 'boolean' }, trace: { type: 'boolean' } });
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
  const commands = scenario.commands.length === 1 ? '1 command' : `${scenario.commands.length} commands`;
  process.stdout.write(`elicit run ${scenarioPath}: ${commands} in ${seconds} s, store ${storePath}\n`);
  process.stdout.write(`${formatSummary(result.report, result.eventsBefore)}\n`);
  if (values.report !== undefined) process.stdout.write(`report: ${values.report as string}\n`);
  return result.interrupted ? 130 : 0;
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

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the scenario file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
