#!/usr/bin/env node
/**
 * Runs the property-based tests in test/properties with vitest, taking the fast-check
 * settings as flags and passing them on as environment variables.
 *
 *   node scripts/test-props.mjs [--runs N] [--seed S] [--path P] [--replay-path R] [--verbose 0|1|2] [vitest options]
 *
 * --runs sets FC_RUNS (runs per property, default 100), --seed FC_SEED, --path FC_PATH and
 * --replay-path FC_REPLAY_PATH: a failure prints the seed, the path and the replayPath that
 * replay it. --verbose sets FC_VERBOSE. Anything else goes to `vitest run`, for example
 * `-t strict` to run only the properties whose name contains "strict".
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const flags = {
  '--runs': { variable: 'FC_RUNS', integer: true },
  '--seed': { variable: 'FC_SEED', integer: true },
  '--path': { variable: 'FC_PATH', integer: false },
  '--replay-path': { variable: 'FC_REPLAY_PATH', integer: false },
  '--verbose': { variable: 'FC_VERBOSE', integer: true },
};

const usage =
  'usage: node scripts/test-props.mjs [--runs N] [--seed S] [--path P] [--replay-path R] [--verbose 0|1|2] [vitest options]';

function fail(message) {
  console.error(`test-props: ${message}\n${usage}`);
  process.exit(2);
}

const environment = { ...process.env };
const vitestArguments = [];
const given = process.argv.slice(2);

for (let index = 0; index < given.length; index++) {
  const argument = given[index];
  if (argument === '--help' || argument === '-h') {
    console.log(usage);
    process.exit(0);
  }

  // Both `--runs 500` and `--runs=500` are accepted.
  const [name, inlineValue] = argument.split(/=(.*)/s, 2);
  const flag = flags[name];
  if (flag === undefined) {
    vitestArguments.push(argument);
    continue;
  }

  const value = inlineValue ?? given[++index];
  if (value === undefined || value === '') fail(`${name} needs a value`);
  if (flag.integer && !/^-?\d+$/.test(value)) fail(`${name} is ${JSON.stringify(value)}; expected an integer`);
  environment[flag.variable] = value;
}

// Run from the repository root, so `test/properties` resolves wherever the script is started.
const root = fileURLToPath(new URL('..', import.meta.url));
const child = spawn('npx', ['vitest', 'run', 'test/properties', ...vitestArguments], { cwd: root, stdio: 'inherit', env: environment });
child.on('error', (error) => fail(`could not start vitest: ${error.message}`));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  process.exit(code ?? 1);
});
