/**
 * `elicit serve [--store FILE] [--port P]`: runs the MCP agent bridge over Streamable HTTP on
 * 127.0.0.1 until SIGINT or SIGTERM, at security `strict` and the `mcp` schema profile. It
 * prints the endpoint on standard output and logs to standard error. The store is the SQLite
 * one that moves large commits to a worker thread, so that a burst of deadlines or of agents
 * does not hold up the sessions while it is written. Memory contains the pending elicitations
 * and the most recently settled ones, and older settled ones are read back from the store.
 */
import { startBridgeServer } from '../../mcp/bridgeServer.js';
import { createElicitationRuntime } from '../../runtime/elicitationRuntime.js';
import { isElicitationError } from '../../runtime/errors.js';
import { resolveSecurityPolicy, type SecurityOptions } from '../../security/securityPolicy.js';
import { SqliteEventStore, ThreadedSqliteEventStore } from '../../store/sqliteEventStore.js';
import { ConfigurationError, parseOptions, UsageError, type Command } from '../commandSupport.js';
import type { Logger } from '../logger.js';
import { agentTokensFrom } from './token.js';

const defaultPort = 7420;
/**
 * Settled elicitations kept in memory. Each costs about 600 B plus its message, metadata and
 * answer, so 10,000 take about 6 MB with small answers and about 1 GB with 100 KB ones.
 * Without a limit a server that runs for weeks would hold every elicitation it ever settled,
 * and so would its next start.
 */
const settledInMemory = 10_000;

export const serveCommand: Command = {
  synopsis: 'elicit serve [--store FILE] [--port P] [--secret-file FILE]',
  summary: `runs the MCP agent bridge on http://127.0.0.1:${defaultPort}/mcp (--port 0 picks a free port) until SIGINT or SIGTERM, then exits 0`,
  run,
};

async function run(args: readonly string[], logger: Logger): Promise<number> {
  const { values, positionals } = parseOptions(args, { store: { type: 'string' }, port: { type: 'string' }, 'secret-file': { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`serve takes no positional arguments, but got ${positionals.join(' ')}`);
  const port = checkedPort((values.port as string | undefined) ?? String(defaultPort));
  const storePath = (values.store as string | undefined) ?? 'elicit.db';

  // Checked before the store is opened, so a bad secret creates no store file.
  const { tokens, secret, origin } = agentTokensFrom(values['secret-file'] as string | undefined, 'serve');
  const security: SecurityOptions = { level: 'strict', secret };
  try {
    resolveSecurityPolicy(security);
  } catch (error) {
    if (isElicitationError(error)) throw new ConfigurationError(error.message);
    throw error;
  }

  // The threaded store needs a file for its two connections to share, so `:memory:` stays on one connection.
  const store = storePath === ':memory:' ? new SqliteEventStore(storePath) : new ThreadedSqliteEventStore(storePath);
  const runtime = await createElicitationRuntime({ store, security, schemaProfile: 'mcp', limits: { maxSettledInMemory: settledInMemory } });
  let bridge;
  try {
    bridge = await startBridgeServer({ runtime, agentTokens: tokens, port, logger });
  } catch (error) {
    await runtime.stop();
    throw error;
  }

  process.stdout.write(`elicit serve: MCP endpoint ${bridge.url.href}, store ${storePath}\n`);
  logger.info(`${runtime.pendingCount} ${runtime.pendingCount === 1 ? 'elicitation' : 'elicitations'} pending in the store; tokens are checked with the secret from ${origin}`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  logger.info(`${signal} received; closing the sessions and flushing the store`);
  await bridge.close();
  await runtime.stop();
  logger.info('stopped');
  return 0;
}

function checkedPort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new UsageError(`--port ${JSON.stringify(text)} is not a TCP port; use 0 to 65535, where 0 picks a free port`);
  return port;
}
