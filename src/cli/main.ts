#!/usr/bin/env node
/**
 * The `elicit` command: dispatches to one subcommand a file in `commands/`. Exit codes:
 * 0 done, 1 failed while running, 2 bad usage, a bad setting or a bad scenario file
 * (nothing run, nothing written), 130 for a run stopped by SIGINT or SIGTERM. The servers
 * (`serve`, `inspect`) stop on those signals as their normal end and exit 0.
 */
import { ConfigurationError, UsageError, type Command } from './commandSupport.js';
import { diagramCommand } from './commands/diagram.js';
import { eventsCommand } from './commands/events.js';
import { inspectCommand } from './commands/inspect.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { serveCommand } from './commands/serve.js';
import { tokenCommand } from './commands/token.js';
import { createLogger } from './logger.js';
import { ScenarioError } from './scenario.js';

const commands: Record<string, Command> = {
  run: runCommand,
  report: reportCommand,
  events: eventsCommand,
  serve: serveCommand,
  token: tokenCommand,
  diagram: diagramCommand,
  inspect: inspectCommand,
};

const usage = [
  'Usage:',
  ...Object.values(commands).map((command) => `  ${command.synopsis}`),
  '',
  ...Object.entries(commands).map(([name, command]) => `  ${name.padEnd(9)}${command.summary}`),
  '',
  '  --store FILE    the SQLite event store',
  '  --report FILE   where to write the JSON report',
  '  --realtime      run on the wall clock, waiting for each line\'s "at", instead of a simulated clock',
  '  --trace         print one JSON line per command as it settles',
].join('\n');

async function main(argv: readonly string[]): Promise<number> {
  const logger = createLogger();
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${usage}\n`);
    return name === undefined ? 2 : 0;
  }

  try {
    const command = commands[name];
    if (command === undefined) throw new UsageError(`unknown command "${name}"`);
    return await command.run(rest, logger);
  } catch (error) {
    if (error instanceof UsageError) {
      logger.error(`${error.message}\n${usage}`);
      return 2;
    }
    if (error instanceof ConfigurationError || error instanceof ScenarioError) {
      logger.error(`${error.message}; nothing was run or written`);
      return 2;
    }
    logger.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

// A reader that closes the pipe early (`elicit events | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
