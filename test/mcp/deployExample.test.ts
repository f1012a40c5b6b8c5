import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/store/sqliteEventStore.js';
import { requireBuiltCli } from '../cli/elicitCli.js';

const example = fileURLToPath(new URL('../../examples/deploy-approval-server.mjs', import.meta.url));
const workDirs: string[] = [];

beforeAll(requireBuiltCli);
afterEach(() => {
  for (const workDir of workDirs.splice(0)) rmSync(workDir, { recursive: true, force: true });
});

/** Starts the example as a child process and connects an SDK Client over stdio that answers with `answers`. */
async function startExample(answers: ElicitResult[]) {
  const workDir = mkdtempSync(join(tmpdir(), 'elicit-example-'));
  workDirs.push(workDir);
  const storePath = join(workDir, 'approvals.db');
  const client = new Client({ name: 'example-test', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
  const messages: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    messages.push((request.params as { message: string }).message);
    return answers.shift() ?? { action: 'cancel' };
  });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [example, storePath], stderr: 'pipe' }));
  return { client, storePath, messages };
}

async function deploy(client: Client, release: string): Promise<string> {
  const result = await client.callTool({ name: 'deploy', arguments: { release } });
  return (result.content as Array<{ text: string }>)[0]!.text;
}

describe('the deploy approval example', () => {
  it('deploys what the user approves', async () => {
    const { client, storePath, messages } = await startExample([
      { action: 'accept', content: { approved: true, environment: 'staging' } },
      { action: 'decline' },
      { action: 'accept', content: { approved: true } },
    ]);

    expect(await deploy(client, '42')).toBe('Deploying release 42 to staging.');
    expect(await deploy(client, '43')).toBe('Release 43 was not deployed: the question was declined.');
    // The third answer lacks the environment, so the form is shown again and then cancelled.
    expect(await deploy(client, '44')).toBe('Release 44 was not deployed: the question was cancelled.');
    expect(messages).toEqual(['Deploy release 42?', 'Deploy release 43?', 'Deploy release 44?', expect.stringContaining('environment')]);
    await client.close();

    const store = new SqliteEventStore(storePath);
    const types = [...store.read()].map((event) => event.type);
    store.close();
    expect(types).toEqual([
      'elicitation.requested',
      'elicitation.answered',
      'elicitation.requested',
      'elicitation.rejected',
      'elicitation.requested',
      'elicitation.rejected',
    ]);
  });
});
