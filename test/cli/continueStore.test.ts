/**
 * A run on a store that already holds events continues it: the file check accepts refs of
 * stored requests, the simulated clock starts at the time of the last stored event, and the
 * report covers the elicitations of every run.
 *
 * continue-first.jsonl leaves `carried` and `lapsing` (deadline 1000) pending. Its last stored
 * event answers `done` at 500, because the content rejected at 800 stores nothing. So the clock
 * of continue-second.jsonl starts at 500, and its lines at 100 and 600 run at 600 and 1100.
 */
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  answered,
  counts,
  createWorkDir,
  elicit,
  expired,
  listEvents,
  pending,
  readReport,
  rejected,
  removeWorkDirs,
  requireBuiltCli,
  scenarioEpoch,
  scenarioFixture,
  testSecret,
  writeScenario,
  type Report,
} from './elicitCli.js';

interface ContinuedRun {
  readonly workDir: string;
  readonly storePath: string;
  readonly first: { readonly status: number | null; readonly stderr: string; readonly report: Report };
  readonly second: { readonly status: number | null; readonly stderr: string; readonly report: Report };
}

/** Runs two fixtures one after the other on the same store, each with its own report. */
function runTwice(firstFixture: string, secondFixture: string, environment: Record<string, string> = {}): ContinuedRun {
  const workDir = createWorkDir();
  const storePath = join(workDir, 'store.db');

  const first = elicit(['run', scenarioFixture(firstFixture), '--store', storePath, '--report', join(workDir, 'first.json')], workDir, environment);
  const second = elicit(['run', scenarioFixture(secondFixture), '--store', storePath, '--report', join(workDir, 'second.json')], workDir, environment);

  return {
    workDir,
    storePath,
    first: { status: first.status, stderr: first.stderr, report: readReport(join(workDir, 'first.json')) },
    second: { status: second.status, stderr: second.stderr, report: readReport(join(workDir, 'second.json')) },
  };
}

function idOf(report: Report, ref: string): string {
  const entry = report.elicitations[ref];
  if (entry === undefined) throw new Error(`the report has no elicitation "${ref}"; it has ${Object.keys(report.elicitations).join(', ')}`);
  return entry.id;
}

beforeAll(requireBuiltCli);
afterEach(removeWorkDirs);

describe('elicit run on an existing store', () => {
  it('first run leaves two requests pending', () => {
    const { first } = runTwice('continue-first.jsonl', 'continue-second.jsonl');

    expect(first.status, first.stderr).toBe(0);
    expect(first.report).toEqual({
      elicitations: { carried: pending(), lapsing: pending(), done: answered('carol', { approved: true }, 500) },
      errors: [{ line: 5, op: 'accept', ref: 'carried', code: 'INVALID_CONTENT' }],
      counts: counts({ pending: 2, answered: 1 }),
      events: 4,
    });
  });

  it('second run settles them by their stored refs', () => {
    const { first, second } = runTwice('continue-first.jsonl', 'continue-second.jsonl');

    expect(second.status, second.stderr).toBe(0);
    expect(second.report).toEqual({
      elicitations: {
        carried: { ...answered('bob', { approved: true }, 600), id: idOf(first.report, 'carried') },
        lapsing: { ...expired(1000), id: idOf(first.report, 'lapsing') },
        done: { ...answered('carol', { approved: true }, 500), id: idOf(first.report, 'done') },
      },
      errors: [{ line: 2, op: 'accept', ref: 'lapsing', code: 'EXPIRED' }],
      counts: counts({ answered: 2, expired: 1 }),
      events: 6,
    });
  });

  it('second run starts its clock at the last stored event', () => {
    const { workDir, storePath, first } = runTwice('continue-first.jsonl', 'continue-second.jsonl');

    const written = listEvents(storePath, workDir).events.slice(4);

    expect(written.map((event) => [event.type, event.elicitationId, event.time - scenarioEpoch])).toEqual([
      ['elicitation.answered', idOf(first.report, 'carried'), 600],
      ['elicitation.expired', idOf(first.report, 'lapsing'), 1000],
    ]);
  });

  it('report rebuilt after both runs equals the second run report', () => {
    const { workDir, storePath, second } = runTwice('continue-first.jsonl', 'continue-second.jsonl');
    const reportPath = join(workDir, 'rebuilt.json');

    const rebuild = elicit(['report', '--store', storePath, '--report', reportPath], workDir);
    const rebuilt = readReport(reportPath);

    expect(rebuild.status, rebuild.stderr).toBe(0);
    expect(rebuilt.elicitations).toEqual(second.report.elicitations);
    expect(rebuilt.counts).toEqual(second.report.counts);
    expect(rebuilt.events).toBe(second.report.events);
  });

  it('rejects a ref that neither the file nor the store names', () => {
    const workDir = createWorkDir();
    const storePath = join(workDir, 'store.db');
    elicit(['run', scenarioFixture('continue-first.jsonl'), '--store', storePath], workDir);
    const before = listEvents(storePath, workDir);
    const scenario = writeScenario(workDir, 'unknown-ref.jsonl', [
      '{"at":100,"op":"accept","ref":"carried","agent":"bob","content":{"approved":true}}',
      '{"at":200,"op":"accept","ref":"ghost","agent":"bob","content":{"approved":true}}',
    ]);

    const run = elicit(['run', scenario, '--store', storePath], workDir);
    const after = listEvents(storePath, workDir);

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/\bline 2\b/);
    expect(run.stderr).toMatch(/\bref\b/);
    expect(after.events).toHaveLength(before.events.length);
    expect(after.result.stdout).toBe(before.result.stdout);
  });

  it('passes real strict tokens for stored refs', () => {
    const { first, second } = runTwice('continue-strict-first.jsonl', 'continue-strict-second.jsonl', { ELICIT_SECRET: testSecret });

    expect(first.status, first.stderr).toBe(0);
    expect(second.status, second.stderr).toBe(0);
    expect(second.report).toEqual({
      elicitations: {
        q1: { ...answered('bob', { approved: true }, 20), id: idOf(first.report, 'q1') },
        q2: { ...rejected('bob', 'declined', 30), id: idOf(first.report, 'q2') },
      },
      errors: [{ line: 2, op: 'accept', ref: 'q1', code: 'UNAUTHORIZED' }],
      counts: counts({ answered: 1, rejected: 1 }),
      events: 5,
    });
  });
});
