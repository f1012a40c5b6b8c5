/**
 * `elicit run --trace` writes one JSON line per command to standard output as the command
 * settles, so lines may come out of file order. The refused commands are the report's errors.
 */
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createWorkDir,
  elicit,
  readinessScenario,
  readReport,
  removeWorkDirs,
  requireBuiltCli,
  scenarioCommands,
  scenarioFixture,
  testSecret,
  traceLines,
  type TraceLine,
} from './elicitCli.js';

const scenarios: Record<string, string> = {
  'the readiness example': readinessScenario,
  'invalid-request.jsonl': scenarioFixture('invalid-request.jsonl'),
  'strict-tokens.jsonl': scenarioFixture('strict-tokens.jsonl'),
  'rate-limit.jsonl': scenarioFixture('rate-limit.jsonl'),
  'blank-lines.jsonl': scenarioFixture('blank-lines.jsonl'),
};

const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line;

function tracedRun(scenario: string) {
  const workDir = createWorkDir();
  const reportPath = join(workDir, 'report.json');
  const run = elicit(['run', scenario, '--store', join(workDir, 'store.db'), '--report', reportPath, '--trace'], workDir, { ELICIT_SECRET: testSecret });
  return { run, trace: traceLines(run.stdout), report: readReport(reportPath) };
}

beforeAll(requireBuiltCli);
afterEach(removeWorkDirs);

describe('elicit run --trace', () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    describe(`on ${name}`, () => {
      it('prints one line per command with exactly its keys', () => {
        const { run, trace } = tracedRun(scenario);

        expect(run.status, run.stderr).toBe(0);
        expect(trace.map(({ line, op, ref }) => ({ line, op, ref })).sort(byLine)).toEqual(scenarioCommands(scenario));
        for (const traced of trace) expect(Object.keys(traced).sort(), JSON.stringify(traced)).toEqual(['code', 'line', 'ok', 'op', 'ref']);
      });

      it('marks exactly the report errors as refused', () => {
        const { trace, report } = tracedRun(scenario);
        const refused = trace.filter((traced) => !traced.ok).map(({ line, op, ref, code }) => ({ line, op, ref, code }));
        const refusedLines = new Set((report.errors ?? []).map((error) => error.line));
        const taken = trace.filter((traced: TraceLine) => !refusedLines.has(traced.line));

        expect(refused.sort(byLine)).toEqual([...(report.errors ?? [])].sort(byLine));
        expect(taken.length).toBeGreaterThan(0);
        for (const traced of taken) expect({ ok: traced.ok, code: traced.code }, JSON.stringify(traced)).toEqual({ ok: true, code: null });
      });
    });
  }

  it('is off without the flag', () => {
    const workDir = createWorkDir();

    const run = elicit(['run', scenarioFixture('wrong-agent.jsonl'), '--store', join(workDir, 'store.db')], workDir);

    expect(run.status, run.stderr).toBe(0);
    expect(traceLines(run.stdout)).toEqual([]);
  });
});
