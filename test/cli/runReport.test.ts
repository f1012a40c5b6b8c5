/**
 * Whole-report checks of `elicit run`: each fixture's expected report is worked out by hand
 * from the contract (deadlines fire before the commands at the same time, checks run in the
 * order rate limit, existence, authorization, state, content) and compared in full.
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
  type Report,
} from './elicitCli.js';

interface ReportCase {
  readonly fixture: string;
  readonly environment?: Record<string, string>;
  readonly report: Report;
  /** How many stored events of each type the run leaves. */
  readonly eventTypes: Record<string, number>;
}

/** Lists the refs r1 to r`last` of the generated burst fixtures. */
function refsOneTo(last: number): string[] {
  return Array.from({ length: last }, (_, index) => `r${index + 1}`);
}

const reportCases: Record<string, ReportCase> = {
  'an answer before the deadline': {
    fixture: 'answered.jsonl',
    report: {
      elicitations: { q1: answered('bob', { approved: true }, 10) },
      errors: [],
      counts: counts({ answered: 1 }),
      events: 2,
    },
    eventTypes: { 'elicitation.requested': 1, 'elicitation.answered': 1 },
  },

  'a decline, a cancel and a withdrawal': {
    fixture: 'rejected.jsonl',
    report: {
      elicitations: {
        declined: rejected('bob', 'declined', 5),
        cancelled: rejected('bob', 'cancelled', 6),
        withdrawn: rejected('alice', 'withdrawn', 7),
      },
      errors: [],
      counts: counts({ rejected: 3 }),
      events: 6,
    },
    eventTypes: { 'elicitation.requested': 3, 'elicitation.rejected': 3 },
  },

  // Deadlines 1000 and 1500 are at or before the last line's time, 1500. The clock stops there, so 1501 stays pending.
  'deadlines up to the last line': {
    fixture: 'expired.jsonl',
    report: {
      elicitations: {
        lapsed: expired(1000),
        'due-at-last-line': expired(1500),
        'due-after-last-line': pending(),
        open: pending(),
      },
      errors: [],
      counts: counts({ pending: 2, expired: 2 }),
      events: 6,
    },
    eventTypes: { 'elicitation.requested': 4, 'elicitation.expired': 2 },
  },

  // Both deadlines are 1000: an answer at 999 is taken, one at 1000 finds the elicitation already expired.
  'answers 1 ms before and at the deadline': {
    fixture: 'deadline-edge.jsonl',
    report: {
      elicitations: {
        'at-deadline': expired(1000),
        'before-deadline': answered('bob', { approved: true }, 999),
      },
      errors: [{ line: 4, op: 'accept', ref: 'at-deadline', code: 'EXPIRED' }],
      counts: counts({ answered: 1, expired: 1 }),
      events: 4,
    },
    eventTypes: { 'elicitation.requested': 2, 'elicitation.answered': 1, 'elicitation.expired': 1 },
  },

  // mallory is no party, and bob is the responder, who may not withdraw. Both refusals are audited.
  'commands from agents who may not send them': {
    fixture: 'wrong-agent.jsonl',
    report: {
      elicitations: { q1: answered('bob', { approved: true }, 20) },
      errors: [
        { line: 2, op: 'accept', ref: 'q1', code: 'UNAUTHORIZED' },
        { line: 3, op: 'withdraw', ref: 'q1', code: 'UNAUTHORIZED' },
      ],
      counts: counts({ answered: 1 }),
      events: 4,
    },
    eventTypes: { 'elicitation.requested': 1, 'security.refused': 2, 'elicitation.answered': 1 },
  },

  'content failing the schema, then corrected': {
    fixture: 'invalid-content.jsonl',
    report: {
      elicitations: { q1: answered('bob', { approved: true }, 20) },
      errors: [{ line: 2, op: 'accept', ref: 'q1', code: 'INVALID_CONTENT' }],
      counts: counts({ answered: 1 }),
      events: 2,
    },
    eventTypes: { 'elicitation.requested': 1, 'elicitation.answered': 1 },
  },

  'commands after an answer or a withdrawal': {
    fixture: 'already-settled.jsonl',
    report: {
      elicitations: {
        answered: answered('bob', { approved: true }, 10),
        withdrawn: rejected('alice', 'withdrawn', 10),
      },
      errors: [
        { line: 5, op: 'accept', ref: 'answered', code: 'ALREADY_SETTLED' },
        { line: 6, op: 'decline', ref: 'answered', code: 'ALREADY_SETTLED' },
        { line: 7, op: 'accept', ref: 'withdrawn', code: 'ALREADY_SETTLED' },
      ],
      counts: counts({ answered: 1, rejected: 1 }),
      events: 4,
    },
    eventTypes: { 'elicitation.requested': 2, 'elicitation.answered': 1, 'elicitation.rejected': 1 },
  },

  // Timeouts 1 and 31,536,000,000 are the valid bounds. shortest-timeout, requested at 5, expires at 6.
  // Existence is checked before authorization, so mallory's decline on a refused ref gets NOT_FOUND.
  'invalid requests and commands on their refs': {
    fixture: 'invalid-request.jsonl',
    report: {
      elicitations: {
        'longest-timeout': pending(),
        'shortest-timeout': expired(6),
      },
      errors: [
        { line: 1, op: 'request', ref: 'bad-schema', code: 'INVALID_REQUEST' },
        { line: 2, op: 'request', ref: 'zero-timeout', code: 'INVALID_REQUEST' },
        { line: 3, op: 'request', ref: 'fractional-timeout', code: 'INVALID_REQUEST' },
        { line: 4, op: 'request', ref: 'too-long-timeout', code: 'INVALID_REQUEST' },
        { line: 7, op: 'accept', ref: 'bad-schema', code: 'NOT_FOUND' },
        { line: 8, op: 'withdraw', ref: 'zero-timeout', code: 'NOT_FOUND' },
        { line: 9, op: 'decline', ref: 'too-long-timeout', code: 'NOT_FOUND' },
      ],
      counts: counts({ pending: 1, expired: 1 }),
      events: 3,
    },
    eventTypes: { 'elicitation.requested': 2, 'elicitation.expired': 1 },
  },

  // 1e400 is a JSON number, so it passes the file check, and its range is the runtime's to judge.
  'a timeoutMs beyond the range of a double': {
    fixture: 'overflowing-timeout.jsonl',
    report: {
      elicitations: { valid: pending() },
      errors: [{ line: 1, op: 'request', ref: 'overflowing-timeout', code: 'INVALID_REQUEST' }],
      counts: counts({ pending: 1 }),
      events: 1,
    },
    eventTypes: { 'elicitation.requested': 1 },
  },

  'strict tokens that are forged or of another ref': {
    fixture: 'strict-tokens.jsonl',
    environment: { ELICIT_SECRET: testSecret },
    report: {
      elicitations: {
        q1: answered('bob', { approved: true }, 30),
        q2: rejected('bob', 'declined', 40),
      },
      errors: [
        { line: 4, op: 'accept', ref: 'q1', code: 'UNAUTHORIZED' },
        { line: 5, op: 'accept', ref: 'q1', code: 'UNAUTHORIZED' },
      ],
      counts: counts({ answered: 1, rejected: 1 }),
      events: 6,
    },
    eventTypes: { 'elicitation.requested': 2, 'security.refused': 2, 'elicitation.answered': 1, 'elicitation.rejected': 1 },
  },

  // Burst 2 at 60 a minute: the third request at 0 finds the bucket empty, and 1000 ms refill exactly one token.
  'a request burst past the rate limit': {
    fixture: 'rate-limit.jsonl',
    report: {
      elicitations: { r1: pending(), r2: pending(), r4: pending() },
      errors: [
        { line: 4, op: 'request', ref: 'r3', code: 'RATE_LIMITED' },
        { line: 6, op: 'request', ref: 'r5', code: 'RATE_LIMITED' },
      ],
      counts: counts({ pending: 3 }),
      events: 5,
    },
    eventTypes: { 'elicitation.requested': 3, 'security.refused': 2 },
  },

  // Responses have a bucket of their own. bob's third and fourth commands find his empty, so the
  // rate limit refuses them before the state check. alice's withdrawal takes a token from hers.
  'responses past the rate limit': {
    fixture: 'rate-limit-responses.jsonl',
    report: {
      elicitations: {
        q1: answered('bob', { approved: true }, 20),
        q2: rejected('alice', 'withdrawn', 40),
      },
      errors: [
        { line: 4, op: 'accept', ref: 'q1', code: 'INVALID_CONTENT' },
        { line: 6, op: 'accept', ref: 'q1', code: 'RATE_LIMITED' },
        { line: 7, op: 'decline', ref: 'q2', code: 'RATE_LIMITED' },
      ],
      counts: counts({ answered: 1, rejected: 1 }),
      events: 6,
    },
    eventTypes: { 'elicitation.requested': 2, 'elicitation.answered': 1, 'security.refused': 2, 'elicitation.rejected': 1 },
  },

  // Without a config a requester may burst 60 requests, and 100 ms at 600 a minute refill one token.
  'a request burst past the default rate limit': {
    fixture: 'default-rate-limit.jsonl',
    report: {
      elicitations: Object.fromEntries([...refsOneTo(60), 'r62'].map((ref) => [ref, pending()])),
      errors: [{ line: 61, op: 'request', ref: 'r61', code: 'RATE_LIMITED' }],
      counts: counts({ pending: 61 }),
      events: 62,
    },
    eventTypes: { 'elicitation.requested': 61, 'security.refused': 1 },
  },

  // Security off has no rate limits and no audit, but still refuses an agent who is no party.
  'security off': {
    fixture: 'security-off.jsonl',
    report: {
      elicitations: { ...Object.fromEntries(refsOneTo(61).map((ref) => [ref, pending()])), r1: answered('bob', { approved: true }, 20) },
      errors: [{ line: 63, op: 'accept', ref: 'r1', code: 'UNAUTHORIZED' }],
      counts: counts({ pending: 60, answered: 1 }),
      events: 62,
    },
    eventTypes: { 'elicitation.requested': 61, 'elicitation.answered': 1 },
  },

  // Line numbers count the blank and whitespace-only lines that the run skips.
  'a file with blank lines': {
    fixture: 'blank-lines.jsonl',
    report: {
      elicitations: { q1: answered('bob', { approved: true }, 20) },
      errors: [{ line: 5, op: 'accept', ref: 'q1', code: 'UNAUTHORIZED' }],
      counts: counts({ answered: 1 }),
      events: 3,
    },
    eventTypes: { 'elicitation.requested': 1, 'security.refused': 1, 'elicitation.answered': 1 },
  },
};

function countTypes(types: readonly string[]): Record<string, number> {
  const byType: Record<string, number> = {};
  for (const type of types) byType[type] = (byType[type] ?? 0) + 1;
  return byType;
}

beforeAll(requireBuiltCli);
afterEach(removeWorkDirs);

describe('elicit run report', () => {
  for (const [name, reportCase] of Object.entries(reportCases)) {
    describe(name, () => {
      it('exits 0 and writes the expected report', () => {
        const workDir = createWorkDir();
        const reportPath = join(workDir, 'report.json');

        const run = elicit(['run', scenarioFixture(reportCase.fixture), '--store', join(workDir, 'store.db'), '--report', reportPath], workDir, reportCase.environment);

        expect(run.status, run.stderr).toBe(0);
        expect(readReport(reportPath)).toEqual(reportCase.report);
      });

      it('stores the events the report counts', () => {
        const workDir = createWorkDir();
        const storePath = join(workDir, 'store.db');
        const run = elicit(['run', scenarioFixture(reportCase.fixture), '--store', storePath], workDir, reportCase.environment);

        const { result, events } = listEvents(storePath, workDir);

        expect(run.status, run.stderr).toBe(0);
        expect(result.status, result.stderr).toBe(0);
        expect(countTypes(events.map((event) => event.type))).toEqual(reportCase.eventTypes);
      });
    });
  }
});

describe('elicit run refs', () => {
  it('reports refs that are Object.prototype keys', () => {
    const workDir = createWorkDir();
    const reportPath = join(workDir, 'report.json');

    const run = elicit(['run', scenarioFixture('object-key-refs.jsonl'), '--store', join(workDir, 'store.db'), '--report', reportPath], workDir);
    const report = readReport(reportPath);

    expect(run.status, run.stderr).toBe(0);
    expect(report.counts).toEqual(counts({ pending: 1, answered: 1 }));
    expect(Object.keys(report.elicitations).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(report.elicitations, '__proto__')?.value).toEqual(answered('bob', { approved: true }, 10));
    expect(report.elicitations.constructor).toEqual(pending());
  });
});

describe('elicit run events', () => {
  it('stores the request with its ref in metadata', () => {
    const workDir = createWorkDir();
    const storePath = join(workDir, 'store.db');
    elicit(['run', scenarioFixture('answered.jsonl'), '--store', storePath], workDir);

    const [requested, answer] = listEvents(storePath, workDir).events;

    expect(requested?.type).toBe('elicitation.requested');
    expect(requested?.data).toEqual({
      from: 'alice',
      to: 'bob',
      message: 'Deploy release 7?',
      schema: { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] },
      deadline: scenarioEpoch + 30_000,
      metadata: { ref: 'q1' },
    });
    expect(answer?.type).toBe('elicitation.answered');
    expect(answer?.data).toEqual({ by: 'bob', content: { approved: true } });
  });

  it('stores an expiry at its deadline', () => {
    const workDir = createWorkDir();
    const storePath = join(workDir, 'store.db');
    elicit(['run', scenarioFixture('expired.jsonl'), '--store', storePath], workDir);

    const expiries = listEvents(storePath, workDir).events.filter((event) => event.type === 'elicitation.expired');

    expect(expiries.map((event) => event.data)).toEqual([{ deadline: scenarioEpoch + 1000 }, { deadline: scenarioEpoch + 1500 }]);
    expect(expiries.map((event) => event.time - scenarioEpoch)).toEqual([1000, 1500]);
  });

  it('fires deadlines in deadline order, ties in creation order', () => {
    const workDir = createWorkDir();
    const storePath = join(workDir, 'store.db');
    const reportPath = join(workDir, 'report.json');
    elicit(['run', scenarioFixture('deadline-order.jsonl'), '--store', storePath, '--report', reportPath], workDir);
    const ids = Object.fromEntries(Object.entries(readReport(reportPath).elicitations).map(([ref, entry]) => [ref, entry.id]));

    const { events } = listEvents(storePath, workDir);
    const sequence = events.map((event) => [event.type, event.elicitationId, event.time - scenarioEpoch]);

    expect(sequence).toEqual([
      ['elicitation.requested', ids.late, 0],
      ['elicitation.requested', ids.early, 0],
      ['elicitation.requested', ids['tie-first'], 500],
      ['elicitation.requested', ids['tie-second'], 500],
      ['elicitation.expired', ids.early, 1000],
      ['elicitation.expired', ids['tie-first'], 1000],
      ['elicitation.expired', ids['tie-second'], 1000],
      ['elicitation.expired', ids.late, 2000],
      ['elicitation.requested', ids.after, 3000],
    ]);
  });

  it('audits a wrong agent with the agent, code and elicitation', () => {
    const workDir = createWorkDir();
    const storePath = join(workDir, 'store.db');
    const reportPath = join(workDir, 'report.json');
    elicit(['run', scenarioFixture('wrong-agent.jsonl'), '--store', storePath, '--report', reportPath], workDir);
    const id = readReport(reportPath).elicitations.q1?.id;

    const refusals = listEvents(storePath, workDir).events.filter((event) => event.type === 'security.refused');

    expect(refusals.map((event) => event.data.agent)).toEqual(['mallory', 'bob']);
    expect(refusals.map((event) => event.data.code)).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED']);
    expect(refusals.map((event) => event.data.elicitationId)).toEqual([id, id]);
    expect(refusals.map((event) => event.time - scenarioEpoch)).toEqual([10, 15]);
    // A refusal has no version, which the store may print as null or leave out.
    expect(refusals.map((event) => event.version ?? undefined)).toEqual([undefined, undefined]);
  });

  it('audits a rate-limited request with its agent and code', () => {
    const workDir = createWorkDir();
    const storePath = join(workDir, 'store.db');
    elicit(['run', scenarioFixture('rate-limit.jsonl'), '--store', storePath], workDir);

    const refusals = listEvents(storePath, workDir).events.filter((event) => event.type === 'security.refused');

    expect(refusals.map((event) => event.data.agent)).toEqual(['alice', 'alice']);
    expect(refusals.map((event) => event.data.code)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect(refusals.map((event) => event.time - scenarioEpoch)).toEqual([0, 1000]);
  });
});
