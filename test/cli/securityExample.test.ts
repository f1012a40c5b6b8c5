import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answered, counts, createWorkDir, elicit, expired, readReport, rejected, removeWorkDirs, requireBuiltCli, testSecret } from './elicitCli.js';

const securityScenario = fileURLToPath(new URL('../../examples/security.jsonl', import.meta.url));

beforeAll(requireBuiltCli);
afterEach(removeWorkDirs);

describe('examples/security.jsonl', () => {
  it('gives the report the rules predict', () => {
    const workDir = createWorkDir();
    const reportPath = join(workDir, 'report.json');
    const result = elicit(['run', securityScenario, '--store', join(workDir, 'store.db'), '--report', reportPath], workDir, { ELICIT_SECRET: testSecret });
    expect(result.status).toBe(0);

    const report = readReport(reportPath);
    expect(report.elicitations).toEqual({
      deploy: answered('reviewer', { approved: true }, 400),
      rollback: rejected('planner', 'withdrawn', 4_999),
      budget: expired(5_000),
      flood: expired(5_000),
    });
    expect(report.errors).toEqual([
      { line: 5, op: 'request', ref: 'flood', code: 'RATE_LIMITED' },
      { line: 6, op: 'accept', ref: 'deploy', code: 'UNAUTHORIZED' },
      { line: 7, op: 'accept', ref: 'deploy', code: 'UNAUTHORIZED' },
      { line: 8, op: 'accept', ref: 'deploy', code: 'UNAUTHORIZED' },
      { line: 10, op: 'decline', ref: 'deploy', code: 'ALREADY_SETTLED' },
      { line: 13, op: 'accept', ref: 'budget', code: 'EXPIRED' },
      { line: 14, op: 'withdraw', ref: 'flood', code: 'UNAUTHORIZED' },
    ]);
    expect(report.counts).toEqual(counts({ answered: 1, rejected: 1, expired: 2 }));
    // Four requests, four terminal events, and an audit event for each of the five refusals by agent or rate.
    expect(report.events).toBe(13);
  });
});
