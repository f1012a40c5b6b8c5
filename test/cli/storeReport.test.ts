/**
 * `elicit report` and `elicit events` read a store alone. On a simulated run the rebuilt
 * report equals the run's report except for `errors`, which only the commands know, and the
 * event listing is the whole log in position order.
 */
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createWorkDir,
  elicit,
  listEvents,
  readinessScenario,
  readReport,
  removeWorkDirs,
  requireBuiltCli,
  scenarioFixture,
  testSecret,
  type Report,
  type StoredEvent,
} from './elicitCli.js';

const scenarios: Record<string, string> = {
  'the readiness example': readinessScenario,
  'answered.jsonl': scenarioFixture('answered.jsonl'),
  'rejected.jsonl': scenarioFixture('rejected.jsonl'),
  'expired.jsonl': scenarioFixture('expired.jsonl'),
  'deadline-edge.jsonl': scenarioFixture('deadline-edge.jsonl'),
  'deadline-order.jsonl': scenarioFixture('deadline-order.jsonl'),
  'wrong-agent.jsonl': scenarioFixture('wrong-agent.jsonl'),
  'invalid-content.jsonl': scenarioFixture('invalid-content.jsonl'),
  'already-settled.jsonl': scenarioFixture('already-settled.jsonl'),
  'invalid-request.jsonl': scenarioFixture('invalid-request.jsonl'),
  'strict-tokens.jsonl': scenarioFixture('strict-tokens.jsonl'),
  'rate-limit.jsonl': scenarioFixture('rate-limit.jsonl'),
  'rate-limit-responses.jsonl': scenarioFixture('rate-limit-responses.jsonl'),
  'security-off.jsonl': scenarioFixture('security-off.jsonl'),
  'blank-lines.jsonl': scenarioFixture('blank-lines.jsonl'),
};

const terminalTypes = new Set(['elicitation.answered', 'elicitation.rejected', 'elicitation.expired']);

/** Runs `scenario` into a fresh store and returns the store's path with the run's report. */
function runIntoStore(scenario: string): { readonly workDir: string; readonly storePath: string; readonly runReport: Report } {
  const workDir = createWorkDir();
  const storePath = join(workDir, 'store.db');
  const reportPath = join(workDir, 'run-report.json');

  const run = elicit(['run', scenario, '--store', storePath, '--report', reportPath], workDir, { ELICIT_SECRET: testSecret });
  if (run.status !== 0) throw new Error(`elicit run ${scenario} exited ${String(run.status)}: ${run.stderr}`);
  return { workDir, storePath, runReport: readReport(reportPath) };
}

/** Groups the events of each elicitation in position order, leaving out audit events, which belong to none. */
function eventsByElicitation(events: readonly StoredEvent[]): Map<string, StoredEvent[]> {
  const grouped = new Map<string, StoredEvent[]>();
  for (const event of events) {
    if (event.type === 'security.refused') continue;
    const id = event.elicitationId ?? '';
    grouped.set(id, [...(grouped.get(id) ?? []), event]);
  }
  return grouped;
}

beforeAll(requireBuiltCli);
afterEach(removeWorkDirs);

describe('elicit report', () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    describe(`after ${name}`, () => {
      it('rebuilds the run report from the store', () => {
        const { workDir, storePath, runReport } = runIntoStore(scenario);
        const reportPath = join(workDir, 'rebuilt-report.json');

        const rebuild = elicit(['report', '--store', storePath, '--report', reportPath], workDir);
        const rebuilt = readReport(reportPath);

        expect(rebuild.status, rebuild.stderr).toBe(0);
        expect(rebuilt.elicitations).toEqual(runReport.elicitations);
        expect(rebuilt.counts).toEqual(runReport.counts);
        expect(rebuilt.events).toBe(runReport.events);
        expect(rebuilt).not.toHaveProperty('errors');
      });
    });
  }
});

describe('elicit events', () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    describe(`after ${name}`, () => {
      it('prints every event once, in position order', () => {
        const { workDir, storePath, runReport } = runIntoStore(scenario);

        const { result, events } = listEvents(storePath, workDir);
        const grouped = eventsByElicitation(events);

        expect(result.status, result.stderr).toBe(0);
        expect(events).toHaveLength(runReport.events);
        expect(events.map((event) => event.position)).toEqual(Array.from({ length: runReport.events }, (_, index) => index + 1));
        expect([...grouped.keys()].sort()).toEqual(Object.values(runReport.elicitations).map((entry) => entry.id).sort());
        for (const [id, stream] of grouped) {
          expect(stream.map((event) => event.version), id).toEqual(stream.map((_, index) => index + 1));
          expect(stream[0]?.type, id).toBe('elicitation.requested');
          expect(stream.filter((event) => event.type === 'elicitation.requested'), id).toHaveLength(1);
          expect(stream.filter((event) => terminalTypes.has(event.type)).length, id).toBeLessThanOrEqual(1);
        }
      });
    });
  }
});

describe('the readiness run', () => {
  it('answers 72, expires 1 and stores 147 events', () => {
    const { runReport } = runIntoStore(readinessScenario);

    expect(runReport.counts).toEqual({ pending: 0, answered: 72, rejected: 0, expired: 1 });
    expect(Object.keys(runReport.elicitations)).toHaveLength(73);
    expect((runReport.errors ?? []).map((error) => error.code).sort()).toEqual(['EXPIRED', 'INVALID_CONTENT', 'UNAUTHORIZED']);
    expect(runReport.events).toBe(147);
  });
});
