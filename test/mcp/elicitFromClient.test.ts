import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ElicitRequestSchema, McpError, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createElicitationRuntime, MemoryEventStore, readAll, SimulatedClock, type ElicitationRuntime } from '../../src/index.js';
import { elicitFromClient, type ClientElicitationRequest } from '../../src/mcp/index.js';
import { aborted, eventually } from './bridgeHarness.js';

const start = Date.UTC(2026, 0, 1);
const secret = 'helper-test-secret-0123456789abcdef';
const approvalSchema = { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] };

type Handler = (request: ElicitRequest, signal: AbortSignal) => Promise<ElicitResult> | ElicitResult;

interface Pair {
  readonly server: McpServer;
  readonly client: Client;
  readonly runtime: ElicitationRuntime;
  readonly store: MemoryEventStore;
  readonly clock: SimulatedClock;
}

const opened: Pair[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const pair of opened.splice(0)) {
    await pair.client.close();
    await pair.runtime.stop();
  }
});

/** An McpServer and an SDK Client over a linked in-memory pair; the client answers with `handler`. */
async function connectPair(handler: Handler | undefined): Promise<Pair> {
  const store = new MemoryEventStore();
  const clock = new SimulatedClock(start);
  const runtime = await createElicitationRuntime({ store, clock, security: { level: 'strict', secret }, schemaProfile: 'mcp' });
  const server = new McpServer({ name: 'deploy-server', version: '1.0.0' });
  const client = new Client({ name: 'test-client', version: '1.0.0' }, { capabilities: handler ? { elicitation: { form: {} } } : {} });
  if (handler) client.setRequestHandler(ElicitRequestSchema, (request, extra) => handler(request, extra.signal));

  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  const pair = { server, client, runtime, store, clock };
  opened.push(pair);
  return pair;
}

const ask = (overrides: Partial<ClientElicitationRequest> = {}): ClientElicitationRequest => ({
  from: 'deploy-server',
  to: 'user',
  message: 'Deploy release 42?',
  schema: approvalSchema,
  timeoutMs: 5 * 60_000,
  ...overrides,
});

async function eventTypes(store: MemoryEventStore) {
  return (await readAll(store)).map((event) => event.type);
}

describe('elicitFromClient', () => {
  it('an accept answers it', async () => {
    const requests: ElicitRequest['params'][] = [];
    const { server, runtime, store } = await connectPair((request) => {
      requests.push(request.params);
      return { action: 'accept', content: { approved: true } };
    });

    const outcome = await elicitFromClient(server, runtime, ask());

    expect(outcome).toMatchObject({ state: 'answered', by: 'user', content: { approved: true }, from: 'deploy-server' });
    expect(requests).toEqual([expect.objectContaining({ mode: 'form', message: 'Deploy release 42?', requestedSchema: approvalSchema })]);
    expect(await eventTypes(store)).toEqual(['elicitation.requested', 'elicitation.answered']);
  });

  it('decline and cancel are no answers', async () => {
    const actions: ElicitResult['action'][] = ['decline', 'cancel'];
    const { server, runtime, store } = await connectPair(() => ({ action: actions.shift()!, content: { approved: true } }));

    const declined = await elicitFromClient(server, runtime, ask());
    const cancelled = await elicitFromClient(server, runtime, ask());

    expect(declined).toMatchObject({ state: 'rejected', reason: 'declined', by: 'user' });
    expect(cancelled).toMatchObject({ state: 'rejected', reason: 'cancelled', by: 'user' });
    expect('content' in declined).toBe(false);
    expect('content' in cancelled).toBe(false);
    expect(await eventTypes(store)).toEqual(['elicitation.requested', 'elicitation.rejected', 'elicitation.requested', 'elicitation.rejected']);
  });

  it('an accept without content is checked', async () => {
    const answers: ElicitResult[] = [{ action: 'accept' }, { action: 'accept', content: { approved: true } }];
    const messages: string[] = [];
    const { server, runtime } = await connectPair((request) => {
      messages.push((request.params as { message: string }).message);
      return answers.shift()!;
    });

    const outcome = await elicitFromClient(server, runtime, ask());

    expect(outcome).toMatchObject({ state: 'answered', content: { approved: true } });
    expect(messages).toEqual(['Deploy release 42?', expect.stringContaining("The previous answer was not accepted (the answer must have required property 'approved'")]);
  });

  it('invalid content every time withdraws it', async () => {
    let sent = 0;
    const { server, runtime, store } = await connectPair(() => {
      sent += 1;
      return { action: 'accept', content: { approved: 'yes' } };
    });

    const failure = await elicitFromClient(server, runtime, ask({ maxAttempts: 2 })).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 'INVALID_CONTENT', details: { issues: [{ path: '/approved', message: 'must be boolean' }] } });
    expect(sent).toBe(2);
    const [requested] = [...runtime.elicitations()];
    expect(requested).toMatchObject({ state: 'rejected', reason: 'withdrawn', by: 'deploy-server' });
    expect(await eventTypes(store)).toEqual(['elicitation.requested', 'elicitation.rejected']);
  });

  it('outlives the SDK request timeout', async () => {
    let answer: ((result: ElicitResult) => void) | undefined;
    let cancelled = false;
    const { server, runtime } = await connectPair(async (_request, signal) => {
      signal.addEventListener('abort', () => (cancelled = true));
      return new Promise<ElicitResult>((resolve) => (answer = resolve));
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });

    const outcome = elicitFromClient(server, runtime, ask({ timeoutMs: 5 * 60_000 }));
    await vi.waitUntil(() => answer !== undefined);
    // A person still typing: past the SDK's 60 s default, well within the 5 minute deadline.
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(cancelled).toBe(false);
    answer!({ action: 'accept', content: { approved: true } });

    await expect(outcome).resolves.toMatchObject({ state: 'answered', content: { approved: true } });
  });

  it('the deadline cancels the open form', async () => {
    let formOpen = false;
    let cancellation: unknown;
    const { server, runtime, store, clock } = await connectPair(async (_request, signal) => {
      formOpen = true;
      await aborted(signal);
      cancellation = signal.reason;
      return { action: 'cancel' };
    });

    const outcome = elicitFromClient(server, runtime, ask({ timeoutMs: 30_000 }));
    await eventually(() => formOpen, 5_000, 'the form opening');
    clock.advanceTo(start + 30_000);

    await expect(outcome).resolves.toMatchObject({ state: 'expired' });
    await eventually(() => cancellation !== undefined, 5_000, 'the cancellation reaching the client');
    expect(String(cancellation)).toMatch(/is expired/);
    expect(await eventTypes(store)).toEqual(['elicitation.requested', 'elicitation.expired']);
  });

  it('an aborted signal withdraws it', async () => {
    let formOpen = false;
    let cancelled = false;
    const { server, runtime } = await connectPair(async (_request, signal) => {
      formOpen = true;
      await aborted(signal);
      cancelled = true;
      return { action: 'cancel' };
    });
    const toolCall = new AbortController();

    const outcome = elicitFromClient(server, runtime, ask({ signal: toolCall.signal }));
    await eventually(() => formOpen, 5_000, 'the form opening');
    toolCall.abort();

    await expect(outcome).resolves.toMatchObject({ state: 'rejected', reason: 'withdrawn', by: 'deploy-server' });
    await eventually(() => cancelled, 5_000, 'the cancellation reaching the client');
  });

  it('a client error withdraws it', async () => {
    const { server, runtime } = await connectPair(() => {
      throw new Error('the form could not be shown');
    });

    await expect(elicitFromClient(server, runtime, ask())).rejects.toBeInstanceOf(McpError);

    const [requested] = [...runtime.elicitations()];
    expect(requested).toMatchObject({ state: 'rejected', reason: 'withdrawn' });
  });

  it('refuses a client without the capability', async () => {
    const { server, runtime, store } = await connectPair(undefined);

    await expect(elicitFromClient(server, runtime, ask())).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('test-client did not declare') });
    expect(await eventTypes(store)).toEqual([]);
  });

  it('refuses a schema outside the profile', async () => {
    const { server, store } = await connectPair(() => ({ action: 'accept', content: {} }));
    // A runtime on the plain JSON Schema profile: the helper applies the MCP profile itself.
    const runtime = await createElicitationRuntime({ store });

    const nested = { type: 'object', properties: { address: { type: 'object', properties: { city: { type: 'string' } } } } };
    await expect(elicitFromClient(server, runtime, ask({ schema: nested }))).rejects.toMatchObject({ code: 'INVALID_REQUEST', details: { issues: [{ path: '/properties/address/type' }] } });
    expect(await eventTypes(store)).toEqual([]);
  });
});
