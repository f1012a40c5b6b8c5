import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkDir, elicit, elicitBin, listEvents, removeWorkDirs, requireBuiltCli } from '../cli/elicitCli.js';

const secret = 'serve-cli-test-secret-0123456789abcdef';
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(requireBuiltCli);
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  removeWorkDirs();
});

/** Starts `elicit serve --port 0` and resolves with the endpoint it prints. */
async function serve(workDir: string, args: readonly string[], environment: Record<string, string>) {
  const childEnvironment = { ...process.env, ...environment };
  if (environment.ELICIT_SECRET === undefined) delete childEnvironment.ELICIT_SECRET;
  const child = spawn(process.execPath, [elicitBin, 'serve', '--port', '0', ...args], { cwd: workDir, env: childEnvironment });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const url = await new Promise<URL>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /MCP endpoint (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stdout);
      if (match) resolve(new URL(match[1]!));
    });
    child.on('exit', (code) => reject(new Error(`elicit serve exited with ${code}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url, exited, stderr: () => stderr };
}

function issueToken(workDir: string, agent: string, environment: Record<string, string>, extra: string[] = []): string {
  const result = elicit(['token', '--agent', agent, ...extra], workDir, environment);
  expect(result.status).toBe(0);
  return result.stdout.trim();
}

async function connect(url: URL, token: string): Promise<Client> {
  const client = new Client({ name: 'cli-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

describe('elicit serve and elicit token', () => {
  it('serves agents with printed tokens', async () => {
    const workDir = createWorkDir();
    const environment = { ELICIT_SECRET: secret };
    const storePath = join(workDir, 'bridge.db');
    const server = await serve(workDir, ['--store', storePath], environment);

    const alice = await connect(server.url, issueToken(workDir, 'alice', environment, ['--ttl', '30m']));
    const bob = await connect(server.url, issueToken(workDir, 'bob', environment));
    const requested = await alice.callTool({ name: 'elicit_request', arguments: { to: 'bob', message: 'Ship it?', schema: { type: 'object', properties: { ship: { type: 'boolean' } }, required: ['ship'] }, timeoutMs: 60_000 } });
    const listed = await bob.callTool({ name: 'elicit_pending', arguments: {} });
    const [pending] = (listed.structuredContent as { elicitations: Array<{ id: string; responseToken: string }> }).elicitations;
    const answered = await bob.callTool({ name: 'elicit_respond', arguments: { id: pending!.id, action: 'accept', content: { ship: true }, token: pending!.responseToken } });
    await alice.close();
    await bob.close();

    expect(pending!.id).toBe((requested.structuredContent as { id: string }).id);
    expect(answered.structuredContent).toMatchObject({ state: 'answered', by: 'bob', content: { ship: true } });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toContain('SIGTERM received');
    expect(listEvents(storePath, workDir).events.map((event) => event.type)).toEqual(['elicitation.requested', 'elicitation.answered']);
  });

  it('refuses a token of another secret', async () => {
    const workDir = createWorkDir();
    const server = await serve(workDir, ['--store', join(workDir, 'bridge.db')], { ELICIT_SECRET: secret });

    const foreign = issueToken(workDir, 'alice', { ELICIT_SECRET: 'some-other-secret-0123456789abcdef' });

    await expect(connect(server.url, foreign)).rejects.toSatisfy((error) => error instanceof StreamableHTTPError && error.code === 401);
  });

  it('reads the secret from a file', async () => {
    const workDir = createWorkDir();
    const secretFile = join(workDir, 'secret.txt');
    writeFileSync(secretFile, `${secret}\n`);
    const server = await serve(workDir, ['--store', join(workDir, 'bridge.db'), '--secret-file', secretFile], {});

    const client = await connect(server.url, issueToken(workDir, 'alice', {}, ['--secret-file', secretFile]));
    const listed = await client.callTool({ name: 'elicit_pending', arguments: {} });
    await client.close();

    expect(listed.structuredContent).toEqual({ elicitations: [] });
  });

  it('serve without a secret exits 2', () => {
    const workDir = createWorkDir();

    const result = elicit(['serve', '--port', '0', '--store', join(workDir, 'bridge.db')], workDir);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('set ELICIT_SECRET or pass --secret-file FILE');
    expect(existsSync(join(workDir, 'bridge.db'))).toBe(false);
  });

  it('token checks its options', () => {
    const workDir = createWorkDir();
    const environment = { ELICIT_SECRET: secret };

    const noAgent = elicit(['token'], workDir, environment);
    const badTtl = elicit(['token', '--agent', 'alice', '--ttl', '12 hours'], workDir, environment);
    const longTtl = elicit(['token', '--agent', 'alice', '--ttl', '400d'], workDir, environment);
    const noSecret = elicit(['token', '--agent', 'alice'], workDir);
    const shortSecret = elicit(['token', '--agent', 'alice'], workDir, { ELICIT_SECRET: 'short' });

    expect(noAgent.status).toBe(2);
    expect(noAgent.stderr).toContain('--agent NAME is required');
    expect(badTtl.status).toBe(2);
    expect(badTtl.stderr).toContain('such as 30m, 12h or 7d');
    expect(longTtl.status).toBe(2);
    expect(longTtl.stderr).toContain('outside 1s to 365d');
    expect(noSecret.status).toBe(2);
    expect(noSecret.stderr).toContain('set ELICIT_SECRET');
    expect(shortSecret.status).toBe(2);
    expect(shortSecret.stderr).toContain('at least 16');
  });

  it('token prints one line and its expiry', () => {
    const workDir = createWorkDir();

    const result = elicit(['token', '--agent', 'alice', '--ttl', '7d'], workDir, { ELICIT_SECRET: secret });

    expect(result.stdout).toMatch(/^elicit-agent-v1\.k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    const expiresAt = Date.parse(/expires at (\S+)/.exec(result.stderr)![1]!);
    expect(expiresAt - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
  });
});
