/**
 * The benchmark suite's entry point (`npm run bench`): runs every measurement in one process
 * run, prints a report with each figure beside the plain-TypeScript baseline, and checks the
 * targets. `--json` prints one JSON result on stdout and the human report on stderr;
 * `--quick` runs every phase at a small size.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { measureExpiry } from './expiryLateness.js';
import { measureThroughput } from './lifecycleThroughput.js';
import { measurePendingScaling } from './pendingScaling.js';
import { printReport, targetsOf, type BenchResults } from './report.js';
import { measureLatencyPhase } from './requestLatency.js';
import { measureRecovery } from './recoveryTime.js';
import { measureSettledMemory } from './settledMemory.js';
import { formatNumber } from './stats.js';
import { fullSizes, quickSizes, type BenchSizes } from './workload.js';

const usage = `usage: npm run bench -- [--json] [--quick]
  --json   print one JSON result on stdout; the human report goes to stderr
  --quick  run every phase at a small size (under a minute)`;

interface Arguments {
  readonly json: boolean;
  readonly quick: boolean;
}

function parseArguments(argv: readonly string[]): Arguments {
  for (const argument of argv) {
    if (argument === '--help' || argument === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    if (argument !== '--json' && argument !== '--quick') {
      process.stderr.write(`unknown option ${JSON.stringify(argument)}; the options are --json and --quick\n${usage}\n`);
      process.exit(2);
    }
  }
  return { json: argv.includes('--json'), quick: argv.includes('--quick') };
}

function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Returns the commit the benchmark runs on, noting uncommitted changes in `src`. */
function sourceRevision(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const changed = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return changed === '' ? commit : `${commit} with uncommitted changes in src`;
  } catch {
    return 'unknown (not a git work tree)';
  }
}

/** Runs `phase` and returns its result, or records a note and returns null when it throws. */
async function runPhase<T>(title: string, notes: string[], write: (line: string) => void, phase: () => Promise<T>): Promise<T | null> {
  write(`\n== ${title}`);
  const startedAt = performance.now();
  try {
    const result = await phase();
    write(`   (${((performance.now() - startedAt) / 1000).toFixed(1)} s)`);
    return result;
  } catch (error) {
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    notes.push(`${title} failed: ${reason}`);
    write(`   FAILED: ${reason}`);
    return null;
  }
}

async function main(): Promise<void> {
  const { json, quick } = parseArguments(process.argv.slice(2));
  const sizes: BenchSizes = quick ? quickSizes : fullSizes;
  const human = json ? process.stderr : process.stdout;
  const write = (line: string) => human.write(`${line}\n`);
  const startedAt = Date.now();
  // Ten seconds are kept back for the last phase's teardown and the report.
  const deadlineEpochMs = startedAt + sizes.timeBudgetMs - 10_000;
  const loadAtStart = loadavg();

  const environment = {
    revision: sourceRevision(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryBytes: totalmem(),
    xstate: packageVersion('xstate'),
    rxjs: packageVersion('rxjs'),
    betterSqlite3: packageVersion('better-sqlite3'),
    uuid: packageVersion('uuid'),
  };
  write(`elicitation-runtime benchmark${quick ? ' (--quick)' : ''} at ${environment.revision}: node ${environment.node}, ${environment.cpus} × ${environment.cpuModel}, ${(environment.totalMemoryBytes / 2 ** 30).toFixed(1)} GB`);
  write(`xstate ${environment.xstate}, rxjs ${environment.rxjs}, better-sqlite3 ${environment.betterSqlite3}, uuid ${environment.uuid}; load average at start ${loadAtStart.map((load) => load.toFixed(2)).join(' ')}`);

  const notes: string[] = [
    'Security is "standard" with rate-limit buckets sized so that no command is refused; every command still takes a token.',
    'Pending elicitations for d and e are created on the measured runtime itself (SQLite, durability sync), so the levels measure the runtime that holds them.',
    'Each measured run of a, b, c and f starts after a full garbage collection, so garbage left by the runs before it does not pause it.',
  ];
  if (sizes.quick) {
    notes.push(
      `A --quick run measures at small sizes (${formatNumber(sizes.throughputLifecycles)} lifecycles, a ${sizes.latencyDurationMs / 1000} s latency window, ${formatNumber(sizes.expiryDeadlines)} deadlines, one trial), ` +
        'so its met and NOT MET verdicts only show that the report works. Judge the targets on a full run.',
    );
  }
  if (sizes.trials > 1) {
    notes.push(`Each durable-store figure that a target judges, and its baseline, is the median of ${sizes.trials} trials run in turn in this run, so one trial that lands on a busy moment of a shared machine does not decide a target; every trial's figure is printed beside it.`);
  }

  const throughput = await runPhase('a, b, g. Lifecycle throughput and store ingest', notes, write, () => measureThroughput(sizes));
  const latency = await runPhase('c. Latency at a fixed offered load', notes, write, () => measureLatencyPhase(sizes));
  const expiry = await runPhase('f. Expiry of deadlines in the same second', notes, write, () => measureExpiry(sizes));
  const pendingScaling = await runPhase('d, e. Cost and heap as pending elicitations grow', notes, write, () =>
    measurePendingScaling(sizes, deadlineEpochMs),
  );

  const recoveryEvents = quick ? 20_000 : 1_000_000;
  const recovery = await runPhase(`h. Restart on a store of ${recoveryEvents.toLocaleString('en-US')} events`, notes, write, () => measureRecovery(recoveryEvents));

  const settledMemory = await runPhase('i. Heap kept per settled elicitation, with and without limits.maxSettledInMemory', notes, write, () => measureSettledMemory(sizes));

  const results: BenchResults = { throughput, latency, expiry, pendingScaling, recovery, settledMemory };
  const targets = targetsOf(results);
  printReport(results, targets, write);
  if (recovery !== null) {
    write(`\nh. Restart: rebuilding the state from ${recovery.events.toLocaleString('en-US')} stored events (${recovery.pending.toLocaleString('en-US')} pending) took ${recovery.recoverySeconds.toFixed(1)} s; heap after ${(recovery.heapBytesAfter / 2 ** 20).toFixed(0)} MB (building the store took ${recovery.buildSeconds.toFixed(1)} s)`);
  }
  if (settledMemory !== null) {
    const { unlimited, limited } = settledMemory;
    write(
      `\ni. Heap kept per settled elicitation over ${formatNumber(limited.lifecycles)} lifecycles on SqliteEventStore: ${formatNumber(unlimited.heapBytesPerSettled)} B with every one in memory, ` +
        `${formatNumber(limited.heapBytesPerSettled)} B with limits.maxSettledInMemory ${formatNumber(limited.maxSettledInMemory)} (${formatNumber(unlimited.lifecyclesPerSecond)} and ${formatNumber(limited.lifecyclesPerSecond)} lifecycles/s, SimulatedClock)`,
    );
  }
  const durationSeconds = (Date.now() - startedAt) / 1000;
  const loadAtEnd = loadavg();
  const highestLoad = Math.max(loadAtStart[0]!, loadAtEnd[0]!);
  if (highestLoad > environment.cpus * 0.5) {
    notes.push(`The one-minute load average reached ${highestLoad.toFixed(2)} on ${environment.cpus} CPUs (start ${loadAtStart[0]!.toFixed(2)}, end ${loadAtEnd[0]!.toFixed(2)}): other processes shared the machine, so the figures are noisier, and likely slower, than on an idle one.`);
  }
  write(`\nran ${durationSeconds.toFixed(1)} s; load average at the end ${loadAtEnd.map((load) => load.toFixed(2)).join(' ')}`);
  for (const note of notes) write(`note: ${note}`);

  if (json) {
    const output = { benchmark: 'elicitation-runtime', quick, startedAt: new Date(startedAt).toISOString(), durationSeconds, environment: { ...environment, loadAtStart, loadAtEnd }, sizes, results, targets, notes };
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  }
}

await main();
