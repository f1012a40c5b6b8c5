/**
 * The file check of `elicit run`. A scenario that breaks the file's shape stops the run before
 * anything runs, with exit code 2 and a message naming the line and the field. So no store or
 * report is created, and an existing store keeps exactly the events it had.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkDir, elicit, listEvents, removeWorkDirs, requireBuiltCli, scenarioFixture, writeScenario } from './elicitCli.js';

interface BadScenario {
  readonly lines: readonly string[];
  /** The line the message must name. */
  readonly line: number;
  /** The field the message must name, absent for lines that are not JSON objects. */
  readonly field?: string;
}

const schema = '{"type":"object","properties":{"approved":{"type":"boolean"}},"required":["approved"]}';
const requestQ1 = `{"at":0,"op":"request","ref":"q1","from":"alice","to":"bob","message":"Deploy?","schema":${schema},"timeoutMs":30000}`;
const acceptQ1 = '{"at":10,"op":"accept","ref":"q1","agent":"bob","content":{"approved":true}}';

// Each bad line follows valid ones, so a check that ran lines as it read them would write events.
const badScenarios: Record<string, BadScenario> = {
  'malformed JSON': { lines: [requestQ1, acceptQ1, '{"at":20,"op":"withdraw","ref":"q1",'], line: 3 },
  'a JSON array line': { lines: [requestQ1, '[{"at":10,"op":"withdraw","ref":"q1","agent":"alice"}]'], line: 2 },
  'a JSON null line': { lines: [requestQ1, 'null'], line: 2 },
  'a decreasing at': { lines: [requestQ1, acceptQ1, '{"at":5,"op":"withdraw","ref":"q1","agent":"alice"}'], line: 3, field: 'at' },
  'a negative at': { lines: [requestQ1, '{"at":-1,"op":"withdraw","ref":"q1","agent":"alice"}'], line: 2, field: 'at' },
  'an at given as a string': { lines: [requestQ1, '{"at":"10","op":"withdraw","ref":"q1","agent":"alice"}'], line: 2, field: 'at' },
  'a missing at': { lines: [requestQ1, '{"op":"withdraw","ref":"q1","agent":"alice"}'], line: 2, field: 'at' },
  'an unknown op': { lines: [requestQ1, '{"at":10,"op":"approve","ref":"q1","agent":"bob"}'], line: 2, field: 'op' },
  'a missing op': { lines: [requestQ1, '{"at":10,"ref":"q1","agent":"bob"}'], line: 2, field: 'op' },
  'a config line after the first': { lines: [requestQ1, '{"op":"config","security":"off"}'], line: 2, field: 'config' },
  'a timeoutMs given as a string': {
    lines: [requestQ1, `{"at":10,"op":"request","ref":"q2","from":"alice","to":"bob","message":"Deploy?","schema":${schema},"timeoutMs":"30000"}`],
    line: 2,
    field: 'timeoutMs',
  },
  'a schema given as a string': {
    lines: [requestQ1, '{"at":10,"op":"request","ref":"q2","from":"alice","to":"bob","message":"Deploy?","schema":"object","timeoutMs":30000}'],
    line: 2,
    field: 'schema',
  },
  'a message given as a number': {
    lines: [requestQ1, `{"at":10,"op":"request","ref":"q2","from":"alice","to":"bob","message":7,"schema":${schema},"timeoutMs":30000}`],
    line: 2,
    field: 'message',
  },
  'a content given as a string': { lines: [requestQ1, '{"at":10,"op":"accept","ref":"q1","agent":"bob","content":"approved"}'], line: 2, field: 'content' },
  'a content given as an array': { lines: [requestQ1, '{"at":10,"op":"accept","ref":"q1","agent":"bob","content":[true]}'], line: 2, field: 'content' },
  'an agent given as a number': { lines: [requestQ1, '{"at":10,"op":"decline","ref":"q1","agent":42}'], line: 2, field: 'agent' },
  'a ref given as a number': { lines: [requestQ1, '{"at":10,"op":"withdraw","ref":1,"agent":"alice"}'], line: 2, field: 'ref' },
  'a token given as a number': { lines: [requestQ1, '{"at":10,"op":"decline","ref":"q1","agent":"bob","token":1234}'], line: 2, field: 'token' },
  'a request missing its to': {
    lines: [requestQ1, `{"at":10,"op":"request","ref":"q2","from":"alice","message":"Deploy?","schema":${schema},"timeoutMs":30000}`],
    line: 2,
    field: 'to',
  },
  'an accept missing its content': { lines: [requestQ1, '{"at":10,"op":"accept","ref":"q1","agent":"bob"}'], line: 2, field: 'content' },
  'a withdraw missing its agent': { lines: [requestQ1, '{"at":10,"op":"withdraw","ref":"q1"}'], line: 2, field: 'agent' },
  'a ref no request names': { lines: [requestQ1, '{"at":10,"op":"withdraw","ref":"ghost","agent":"alice"}'], line: 2, field: 'ref' },
  'a ref named only by a later request': {
    lines: [requestQ1, '{"at":10,"op":"withdraw","ref":"q2","agent":"alice"}', `{"at":20,"op":"request","ref":"q2","from":"alice","to":"bob","message":"Deploy?","schema":${schema},"timeoutMs":30000}`],
    line: 2,
    field: 'ref',
  },
  'a tokenOf naming an unknown ref': { lines: [requestQ1, '{"at":10,"op":"decline","ref":"q1","agent":"bob","tokenOf":"ghost"}'], line: 2, field: 'tokenOf' },
};

function wordPattern(word: string): RegExp {
  return new RegExp(`\\b${word}\\b`);
}

// One seeded store, copied into each test's own folder, saves a run per test.
let seedDir = '';
let seedListing: ReturnType<typeof listEvents>;

/** Copies the seeded store, with any WAL files beside it, into `workDir`. */
function copySeedStore(workDir: string): string {
  for (const name of readdirSync(seedDir)) {
    if (name.startsWith('store.db')) copyFileSync(join(seedDir, name), join(workDir, name));
  }
  return join(workDir, 'store.db');
}

beforeAll(() => {
  requireBuiltCli();
  seedDir = mkdtempSync(join(tmpdir(), 'elicit-cli-seed-'));
  const seed = elicit(['run', scenarioFixture('rejected.jsonl'), '--store', join(seedDir, 'store.db')], seedDir);
  if (seed.status !== 0) throw new Error(`seeding the store failed with exit ${String(seed.status)}: ${seed.stderr}`);
  seedListing = listEvents(join(seedDir, 'store.db'), seedDir);
});
afterAll(() => rmSync(seedDir, { recursive: true, force: true }));
afterEach(removeWorkDirs);

describe('elicit run file check', () => {
  for (const [name, bad] of Object.entries(badScenarios)) {
    describe(`on ${name}`, () => {
      it(`exits 2 naming line ${bad.line}${bad.field === undefined ? '' : ` and ${bad.field}`}, writing nothing`, () => {
        const workDir = createWorkDir();
        const scenario = writeScenario(workDir, 'bad.jsonl', bad.lines);

        const run = elicit(['run', scenario, '--store', join(workDir, 'store.db'), '--report', join(workDir, 'report.json')], workDir);

        expect(run.status).toBe(2);
        expect(run.stderr).toMatch(wordPattern(`line ${bad.line}`));
        if (bad.field !== undefined) expect(run.stderr).toMatch(wordPattern(bad.field));
        expect(readdirSync(workDir)).toEqual(['bad.jsonl']);
      });

      it('leaves an existing store as it was', () => {
        const workDir = createWorkDir();
        const storePath = copySeedStore(workDir);
        const scenario = writeScenario(workDir, 'bad.jsonl', bad.lines);

        const run = elicit(['run', scenario, '--store', storePath, '--report', join(workDir, 'report.json')], workDir);
        const after = listEvents(storePath, workDir);

        expect(run.status).toBe(2);
        expect(after.events).toHaveLength(seedListing.events.length);
        expect(after.result.stdout).toBe(seedListing.result.stdout);
        expect(existsSync(join(workDir, 'report.json'))).toBe(false);
      });
    });
  }

  it('creates no default store without --store', () => {
    const workDir = createWorkDir();
    const scenario = writeScenario(workDir, 'bad.jsonl', [requestQ1, '{"at":10,"op":"approve","ref":"q1","agent":"bob"}']);

    const run = elicit(['run', scenario], workDir);

    expect(run.status).toBe(2);
    expect(readdirSync(workDir)).toEqual(['bad.jsonl']);
  });

  it('skips blank and whitespace-only lines', () => {
    const workDir = createWorkDir();

    const storePath = join(workDir, 'store.db');

    const run = elicit(['run', scenarioFixture('blank-lines.jsonl'), '--store', storePath], workDir);

    expect(run.status, run.stderr).toBe(0);
    expect(listEvents(storePath, workDir).events).toHaveLength(3);
  });
});
