/**
 * `elicit inspect --store FILE [--port P]`: serves the live inspector page for a store on
 * 127.0.0.1. It replays the store once, then reads what other processes append, so a
 * concurrent `elicit run` on the same store shows up as it runs.
 */
import { InspectorAggregate } from '../../inspector/inspectorAggregate.js';
import { startInspectorServer } from '../../inspector/inspectorServer.js';
import { StorePoller } from '../../inspector/storePoller.js';
import { openExistingStore, parseOptions, UsageError, type Command } from '../commandSupport.js';
import type { Logger } from '../logger.js';

/** The port `elicit inspect` listens on when `--port` is not given. */
export const defaultInspectorPort = 4820;

export const inspectCommand: Command = {
  synopsis: 'elicit inspect --store FILE [--port P]',
  summary: `serves a live inspector page for a store on http://127.0.0.1:${defaultInspectorPort}/ (--port 0 picks a free port) until SIGINT or SIGTERM, then exits 0`,
  run,
};

async function run(args: readonly string[], logger: Logger): Promise<number> {
  const { values, positionals } = parseOptions(args, { store: { type: 'string' }, port: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`inspect takes no arguments, but was given ${positionals.join(' ')}`);
  const port = parsePort(values.port as string | undefined);
  const storePath = values.store as string | undefined;
  const store = openExistingStore(storePath);

  const aggregate = new InspectorAggregate();
  const poller = new StorePoller(store, aggregate, {
    onError: (error, failuresInARow) => {
      // The first failure and then one in 40 (about every 10 s), so a store that stays unreadable does not flood the log.
      if (failuresInARow % 40 === 1) logger.error(`reading the store ${storePath} failed ${failuresInARow} time(s) in a row, trying again: ${messageOf(error)}`);
    },
  });
  const server = await startInspectorServer(aggregate, {
    port,
    source: `store ${storePath}`,
    onError: (error) => logger.error(`a request to the inspector failed: ${messageOf(error)}`),
  }).catch((error: unknown) => {
    store.close();
    throw error;
  });
  poller.start();
  process.stdout.write(`elicit inspect: ${server.url} shows the store ${storePath}; press Ctrl-C to stop\n`);

  const signal = await stopSignal();
  logger.info(`${signal} received; stopping the inspector`);
  poller.stop();
  await server.close();
  store.close();
  // Stopping is how a server ends normally, so it exits 0, as `elicit serve` does.
  return 0;
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return defaultInspectorPort;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new UsageError(`--port ${text} is not a TCP port; use a whole number from 0 to 65535 (0 picks a free port)`);
  return port;
}

function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
