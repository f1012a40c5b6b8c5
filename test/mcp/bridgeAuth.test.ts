import { request as httpRequest } from 'node:http';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentTokens } from '../../src/mcp/index.js';
import { callTool, startTestBridge, type TestBridge } from './bridgeHarness.js';

let harness: TestBridge;
beforeEach(async () => {
  harness = await startTestBridge();
});
afterEach(() => harness.close());

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

/** POSTs an initialize request with the given headers and returns the status and the challenge. */
async function postInitialize(headers: Record<string, string>) {
  const response = await fetch(harness.bridge.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(initialize),
  });
  const body = (await response.json()) as { error?: { message: string } };
  return { status: response.status, challenge: response.headers.get('www-authenticate'), message: body.error?.message ?? '' };
}

describe('bridge authentication', () => {
  it('a missing token gets 401', async () => {
    const refused = await postInitialize({});

    expect(refused.status).toBe(401);
    expect(refused.challenge).toBe('Bearer realm="elicitation-runtime"');
    expect(refused.message).toContain('no Authorization: Bearer header');
  });

  it('an expired token gets 401', async () => {
    const token = harness.agentTokens.issue('alice', 3_600_000, Date.now() - 2 * 3_600_000);

    const refused = await postInitialize({ Authorization: `Bearer ${token}` });
    await expect(harness.connect('alice', { token })).rejects.toSatisfy((error) => error instanceof StreamableHTTPError && error.code === 401);

    expect(refused.status).toBe(401);
    expect(refused.challenge).toContain('error="invalid_token"');
    expect(refused.message).toContain('expired');
  });

  it('a token expiring mid-session gets 401', async () => {
    const issuedAt = Date.now();
    const token = harness.agentTokens.issue('alice', 3_000, issuedAt);
    const alice = await harness.connect('alice', { token });
    expect((await callTool(alice, 'elicit_pending')).isError).toBe(false);

    await new Promise((resolve) => setTimeout(resolve, issuedAt + 3_050 - Date.now()));

    await expect(callTool(alice, 'elicit_pending')).rejects.toSatisfy((error) => error instanceof StreamableHTTPError && error.code === 401);
  });

  it('tokens of another secret get 401', async () => {
    const foreign = new AgentTokens([{ id: 'k1', secret: 'another-secret-0123456789abcdef' }]).issue('alice', 3_600_000);

    const refused = await postInitialize({ Authorization: `Bearer ${foreign}` });

    expect(refused.status).toBe(401);
    expect(refused.message).toContain('does not verify');
  });

  it('a response token is no bearer token', async () => {
    const alice = await harness.connect('alice');
    await callTool(alice, 'elicit_request', { to: 'bob', message: 'Hi?', schema: { type: 'object', properties: {} }, timeoutMs: 10_000 });
    const [pending] = harness.runtime.pending('bob');

    const refused = await postInitialize({ Authorization: `Bearer ${pending!.responseToken!}` });

    expect(refused.status).toBe(401);
    expect(refused.message).toContain('malformed');
  });

  it('a bearer token is no response token', async () => {
    const alice = await harness.connect('alice');
    const bob = await harness.connect('bob');
    const { structured } = await callTool(alice, 'elicit_request', { to: 'bob', message: 'Hi?', schema: { type: 'object', properties: {} }, timeoutMs: 10_000 });

    const refused = await callTool(bob, 'elicit_respond', { id: structured.id, action: 'decline', token: harness.agentTokens.issue('bob', 3_600_000) });

    expect(refused.structured.code).toBe('UNAUTHORIZED');
  });

  it('a session is bound to its agent', async () => {
    const alice = await harness.connect('alice');
    await callTool(alice, 'elicit_pending');
    const sessionId = (alice.transport as { sessionId?: string }).sessionId!;

    const response = await fetch(harness.bridge.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        Authorization: `Bearer ${harness.agentTokens.issue('mallory', 3_600_000)}`,
        'Mcp-Session-Id': sessionId,
        'Mcp-Protocol-Version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'elicit_pending', arguments: {} } }),
    });

    expect(response.status).toBe(403);
  });

  it('a foreign Host header gets 403', async () => {
    const token = harness.agentTokens.issue('alice', 3_600_000);

    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port: harness.bridge.port, path: '/mcp', method: 'POST', headers: { Host: 'attacker.example', Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      );
      request.on('error', reject);
      request.end(JSON.stringify(initialize));
    });

    expect(status).toBe(403);
  });
});
