import { spawn } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createWorkDir, elicitBin, listEvents, removeWorkDirs, requireBuiltCli, writeScenario } from './elicitCli.js';

beforeAll(requireBuiltCli);
afterEach(removeWorkDirs);

/** A realtime scenario: one request now, one answer a second later, one request after 30 s. */
const slowScenario = [
  JSON.stringify({ at: 0, op: 'request', ref: 'q1', from: 'alice', to: 'bob', message: 'Deploy?', schema: { type: 'object' }, timeoutMs: 60_000 }),
  JSON.stringify({ at: 1_000, op: 'accept', ref: 'q1', agent: 'bob', content: { approved: true } }),
  JSON.stringify({ at: 30_000, op: 'request', ref: 'q2', from: 'alice', to: 'bob', message: 'Later', schema: { type: 'object' }, timeoutMs: 60_000 }),
];

describe('elicit run on a signal', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`stops and flushes on ${signal}`, async () => {
      const workDir = createWorkDir();
      const scenario = writeScenario(workDir, 'slow.jsonl', slowScenario);
      const storePath = join(workDir, 'store.db');
      const child = spawn(process.execPath, [elicitBin, 'run', scenario, '--store', storePath, '--realtime'], { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

      await new Promise((resolve) => setTimeout(resolve, 2_500));
      child.kill(signal);
      const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

      expect(exitCode).toBe(130);
      expect(stderr).toContain(`${signal} received`);
      const { events } = listEvents(storePath, workDir);
      expect(events.map((event) => event.type)).toEqual(['elicitation.requested', 'elicitation.answered']);
    });
  }
});
