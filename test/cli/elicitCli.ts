/**
 * Runs the built `elicit` command in a child process, as a user would, and reads back what
 * it writes: reports, the event listing and trace lines. Each test works in its own
 * temporary folder, which `removeWorkDirs` deletes after the test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const elicitBin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
export const readinessScenario = fileURLToPath(new URL('../../examples/readiness.jsonl', import.meta.url));

/** Where the simulated clock of a first run starts: 2026-01-01T00:00:00Z, in epoch ms. */
export const scenarioEpoch = Date.UTC(2026, 0, 1);

/** At least 16 bytes, the shortest secret that `strict` accepts for signing response tokens. */
export const testSecret = 'cli-test-secret-0123456789abcdef';

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function scenarioFixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/scenarios/${name}`, import.meta.url));
}

export interface ReportEntry {
  readonly id: string;
  readonly state: 'pending' | 'answered' | 'rejected' | 'expired';
  readonly reason: string | null;
  readonly by: string | null;
  readonly content: unknown;
  readonly settledAt: number | null;
}

export interface ReportError {
  readonly line: number;
  readonly op: string;
  readonly ref: string;
  readonly code: string;
}

export interface Report {
  readonly elicitations: Record<string, ReportEntry>;
  readonly errors?: ReportError[];
  readonly counts: Record<'pending' | 'answered' | 'rejected' | 'expired', number>;
  readonly events: number;
}

export interface StoredEvent {
  readonly position: number;
  readonly type: string;
  readonly elicitationId: string | null;
  readonly version?: number | null;
  readonly time: number;
  readonly data: Record<string, unknown>;
}

export interface TraceLine {
  readonly line: number;
  readonly op: string;
  readonly ref: string;
  readonly ok: boolean;
  readonly code: string | null;
}

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const workDirs: string[] = [];

/** Creates an empty temporary folder for one test. */
export function createWorkDir(): string {
  const workDir = mkdtempSync(join(tmpdir(), 'elicit-cli-'));
  workDirs.push(workDir);
  return workDir;
}

export function removeWorkDirs(): void {
  for (const workDir of workDirs.splice(0)) rmSync(workDir, { recursive: true, force: true });
}

/** Fails with the fix when the CLI has not been built, instead of with a spawn error. */
export function requireBuiltCli(): void {
  if (!existsSync(elicitBin)) throw new Error(`${elicitBin} is missing; run \`npm run build\` before these tests`);
}

/**
 * Runs `elicit ARGS` with `workDir` as the working folder. ELICIT_SECRET is taken only from
 * `environment`, so a secret in the caller's shell cannot change a test's outcome.
 */
export function elicit(args: readonly string[], workDir: string, environment: Record<string, string> = {}): CommandResult {
  const childEnvironment: NodeJS.ProcessEnv = { ...process.env };
  delete childEnvironment.ELICIT_SECRET;
  Object.assign(childEnvironment, environment);

  const result = spawnSync(process.execPath, [elicitBin, ...args], { cwd: workDir, env: childEnvironment, encoding: 'utf8', timeout: 60_000 });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function writeScenario(workDir: string, name: string, lines: readonly string[]): string {
  const path = join(workDir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

export function readReport(path: string): Report {
  return JSON.parse(readFileSync(path, 'utf8')) as Report;
}

/** Runs `elicit events` on a store and parses each line it prints. */
export function listEvents(storePath: string, workDir: string): { readonly result: CommandResult; readonly events: StoredEvent[] } {
  const result = elicit(['events', '--store', storePath], workDir);
  const events = result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as StoredEvent);
  return { result, events };
}

/** Parses the JSON lines that `--trace` writes to standard output beside the summary. */
export function traceLines(stdout: string): TraceLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as TraceLine);
}

/** Lists the line number, op and ref of each command in a scenario file, skipping blank and `config` lines. */
export function scenarioCommands(path: string): Array<{ readonly line: number; readonly op: string; readonly ref: string }> {
  const commands: Array<{ line: number; op: string; ref: string }> = [];
  readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .forEach((source, index) => {
      if (source.trim() === '') return;
      const value = JSON.parse(source) as { op: string; ref?: string };
      if (value.op !== 'config') commands.push({ line: index + 1, op: value.op, ref: value.ref ?? '' });
    });
  return commands;
}

const anyUuid = () => expect.stringMatching(uuidPattern) as unknown as string;

export function pending(): ReportEntry {
  return { id: anyUuid(), state: 'pending', reason: null, by: null, content: null, settledAt: null };
}

export function answered(by: string, content: unknown, settledAt: number): ReportEntry {
  return { id: anyUuid(), state: 'answered', reason: null, by, content, settledAt };
}

export function rejected(by: string, reason: 'declined' | 'cancelled' | 'withdrawn', settledAt: number): ReportEntry {
  return { id: anyUuid(), state: 'rejected', reason, by, content: null, settledAt };
}

export function expired(settledAt: number): ReportEntry {
  return { id: anyUuid(), state: 'expired', reason: null, by: null, content: null, settledAt };
}

export function counts(nonZero: Partial<Report['counts']>): Report['counts'] {
  return { pending: 0, answered: 0, rejected: 0, expired: 0, ...nonZero };
}
