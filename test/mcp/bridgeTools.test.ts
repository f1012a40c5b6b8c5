import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approvalSchema, callTool, eventually, startTestBridge, type TestBridge } from './bridgeHarness.js';

let harness: TestBridge;
beforeEach(async () => {
  harness = await startTestBridge({ heartbeatMs: 100 });
});
afterEach(() => harness.close());

const question = (to: string, timeoutMs = 30_000) => ({ to, message: 'Deploy release 42?', schema: approvalSchema, timeoutMs });

async function pendingFor(client: Awaited<ReturnType<TestBridge['connect']>>) {
  const { structured } = await callTool(client, 'elicit_pending');
  return structured.elicitations as Array<{ id: string; from: string; message: string; responseToken: string }>;
}

describe('bridge tools', () => {
  it('lists six tools with both schemas', async () => {
    const alice = await harness.connect('alice');
    const { tools } = await alice.listTools();

    expect(tools.map((tool) => tool.name).sort()).toEqual(['elicit_ask', 'elicit_await', 'elicit_pending', 'elicit_request', 'elicit_respond', 'elicit_withdraw']);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
    }
  });

  it('requests, lists, answers and awaits', async () => {
    const alice = await harness.connect('alice');
    const bob = await harness.connect('bob');

    const requested = await callTool(alice, 'elicit_request', question('bob'));
    expect(requested.isError).toBe(false);
    expect(requested.structured).toEqual({ id: expect.any(String), deadline: expect.any(Number) });
    const id = requested.structured.id as string;

    const listed = await pendingFor(bob);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id, from: 'alice', message: 'Deploy release 42?', schema: approvalSchema });
    expect(listed[0]!.responseToken).toEqual(expect.any(String));

    const answered = await callTool(bob, 'elicit_respond', { id, action: 'accept', content: { approved: true }, token: listed[0]!.responseToken });
    expect(answered).toEqual({ isError: false, structured: { id, state: 'answered', reason: null, by: 'bob', content: { approved: true } } });

    const awaited = await callTool(alice, 'elicit_await', { id, waitMs: 1000 });
    expect(awaited.structured).toEqual({ id, state: 'answered', reason: null, by: 'bob', content: { approved: true } });
    const types = (await harness.events()).map((event) => event.type);
    expect(types).toEqual(['elicitation.requested', 'elicitation.answered']);
  });

  it('ask waits for the answer', async () => {
    const alice = await harness.connect('alice');
    const bob = await harness.connect('bob');

    const asking = callTool(alice, 'elicit_ask', question('bob'));
    await eventually(async () => (await pendingFor(bob)).length === 1, 5_000, 'the question reaching bob');
    const [pending] = await pendingFor(bob);
    await callTool(bob, 'elicit_respond', { id: pending!.id, action: 'accept', content: { approved: false, note: 'not on a Friday' }, token: pending!.responseToken });

    expect((await asking).structured).toEqual({ id: pending!.id, state: 'answered', reason: null, by: 'bob', content: { approved: false, note: 'not on a Friday' } });
  });

  it('refuses a wrong agent answering', async () => {
    const alice = await harness.connect('alice');
    const bob = await harness.connect('bob');
    const carol = await harness.connect('carol');
    const { structured } = await callTool(alice, 'elicit_request', question('bob'));
    const id = structured.id as string;
    const [pending] = await pendingFor(bob);

    for (const action of ['accept', 'decline', 'cancel']) {
      const content = action === 'accept' ? { content: { approved: true } } : {};
      const refused = await callTool(carol, 'elicit_respond', { id, action, token: pending!.responseToken, ...content });
      expect(refused.isError).toBe(true);
      expect(refused.structured.code).toBe('UNAUTHORIZED');
    }
    expect((await callTool(carol, 'elicit_await', { id, waitMs: 0 })).structured.code).toBe('UNAUTHORIZED');
    expect((await callTool(carol, 'elicit_withdraw', { id })).structured.code).toBe('UNAUTHORIZED');
    expect((await callTool(alice, 'elicit_respond', { id, action: 'accept', content: { approved: true }, token: pending!.responseToken })).structured.code).toBe('UNAUTHORIZED');
    expect(harness.runtime.get(id)?.state).toBe('pending');

    const answered = await callTool(bob, 'elicit_respond', { id, action: 'accept', content: { approved: true }, token: pending!.responseToken });
    expect(answered.structured).toMatchObject({ state: 'answered', by: 'bob' });
  });

  it('takes the caller only from its token', async () => {
    const mallory = await harness.connect('mallory');

    const refused = await callTool(mallory, 'elicit_request', { ...question('bob'), from: 'alice' });

    expect(refused.isError).toBe(true);
    expect(refused.structured.code).toBe('INVALID_REQUEST');
    expect(refused.structured.issues).toEqual([{ path: '/from', message: expect.stringContaining('bearer token') }]);
    const requested = await callTool(mallory, 'elicit_request', question('bob'));
    expect(harness.runtime.get(requested.structured.id as string)?.from).toBe('mallory');
  });

  it('answers two pending out of order', async () => {
    const alice = await harness.connect('alice');
    const bob = await harness.connect('bob');
    const first = (await callTool(alice, 'elicit_request', { ...question('bob'), message: 'First?' })).structured.id as string;
    const second = (await callTool(alice, 'elicit_request', { ...question('bob'), message: 'Second?' })).structured.id as string;

    const listed = await pendingFor(bob);
    expect(listed.map((pending) => pending.id)).toEqual([first, second]);
    const awaitingFirst = callTool(alice, 'elicit_await', { id: first, waitMs: 5_000 });
    await callTool(bob, 'elicit_respond', { id: second, action: 'accept', content: { approved: false }, token: listed[1]!.responseToken });
    expect((await pendingFor(bob)).map((pending) => pending.id)).toEqual([first]);
    await callTool(bob, 'elicit_respond', { id: first, action: 'accept', content: { approved: true }, token: listed[0]!.responseToken });

    expect((await awaitingFirst).structured).toMatchObject({ id: first, state: 'answered', content: { approved: true } });
    expect((await callTool(alice, 'elicit_await', { id: second, waitMs: 0 })).structured).toMatchObject({ id: second, state: 'answered', content: { approved: false } });
  });

  it('swapped response tokens are refused', async () => {
    const alice = await harness.connect('alice');
    const bob = await harness.connect('bob');
    await callTool(alice, 'elicit_request', question('bob'));
    await callTool(alice, 'elicit_request', question('bob'));
    const [first, second] = await pendingFor(bob);

    const swapped = await callTool(bob, 'elicit_respond', { id: first!.id, action: 'decline', token: second!.responseToken });
    const missing = await callTool(bob, 'elicit_respond', { id: first!.id, action: 'decline' });

    expect(swapped.structured.code).toBe('UNAUTHORIZED');
    expect(missing.structured.code).toBe('UNAUTHORIZED');
  });

  it('refuses content failing the schema', async () => {
    const alice = await harness.connect('alice');
    const bob = await harness.connect('bob');
    const id = (await callTool(alice, 'elicit_request', question('bob'))).structured.id as string;
    const [pending] = await pendingFor(bob);

    const wrongType = await callTool(bob, 'elicit_respond', { id, action: 'accept', content: { approved: 'yes' }, token: pending!.responseToken });
    const noContent = await callTool(bob, 'elicit_respond', { id, action: 'accept', token: pending!.responseToken });
    const declineWithContent = await callTool(bob, 'elicit_respond', { id, action: 'decline', content: { approved: true }, token: pending!.responseToken });

    expect(wrongType.structured).toMatchObject({ code: 'INVALID_CONTENT', issues: [{ path: '/approved', message: 'must be boolean' }] });
    expect(noContent.structured).toMatchObject({ code: 'INVALID_CONTENT', issues: [{ path: '/', message: expect.stringContaining('approved') }] });
    expect(declineWithContent.structured).toMatchObject({ code: 'INVALID_REQUEST', issues: [{ path: '/content' }] });
    expect(harness.runtime.get(id)?.state).toBe('pending');
  });

  it('refuses bad requests with codes', async () => {
    const alice = await harness.connect('alice');

    const nested = await callTool(alice, 'elicit_request', { ...question('bob'), schema: { type: 'object', properties: { address: { type: 'object' } } } });
    const noTimeout = await callTool(alice, 'elicit_request', { to: 'bob', message: 'Hi', schema: approvalSchema });
    const unknown = await callTool(alice, 'elicit_await', { id: '00000000-0000-4000-8000-000000000000', waitMs: 0 });

    expect(nested.structured).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('MCP elicitation profile') });
    expect(noTimeout.structured).toMatchObject({ code: 'INVALID_REQUEST', issues: [{ path: '/timeoutMs', message: 'is required' }] });
    expect(unknown.structured).toMatchObject({ code: 'NOT_FOUND' });
    await expect(alice.callTool({ name: 'elicit_everything', arguments: {} })).rejects.toBeInstanceOf(McpError);
  });

  it('await gives pending after waitMs', async () => {
    const alice = await harness.connect('alice');
    const id = (await callTool(alice, 'elicit_request', question('bob'))).structured.id as string;

    const started = Date.now();
    const awaited = await callTool(alice, 'elicit_await', { id, waitMs: 200 });

    expect(awaited).toEqual({ isError: false, structured: { id, state: 'pending' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('await sees the deadline pass', async () => {
    const alice = await harness.connect('alice');
    const id = (await callTool(alice, 'elicit_request', question('bob', 300))).structured.id as string;

    const awaited = await callTool(alice, 'elicit_await', { id, waitMs: 5_000 });

    expect(awaited.structured).toEqual({ id, state: 'expired', reason: null, by: null, content: null });
    expect((await harness.events()).map((event) => event.type)).toEqual(['elicitation.requested', 'elicitation.expired']);
  });

  it('withdraw rejects it for the requester only', async () => {
    const alice = await harness.connect('alice');
    const bob = await harness.connect('bob');
    const id = (await callTool(alice, 'elicit_request', question('bob'))).structured.id as string;

    expect((await callTool(bob, 'elicit_withdraw', { id })).structured.code).toBe('UNAUTHORIZED');
    expect((await callTool(alice, 'elicit_withdraw', { id })).structured).toEqual({ id, state: 'rejected', reason: 'withdrawn', by: 'alice', content: null });
    expect((await callTool(alice, 'elicit_withdraw', { id })).structured.code).toBe('ALREADY_SETTLED');
  });

  it('progress keeps a long ask alive', async () => {
    const alice = await harness.connect('alice');
    const bob = await harness.connect('bob');
    let progressNotes = 0;

    // Ten times the client's 1 s request timeout passes before bob answers.
    const asking = callTool(alice, 'elicit_ask', question('bob'), { timeout: 1_000, resetTimeoutOnProgress: true, onprogress: () => (progressNotes += 1) });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const [pending] = await pendingFor(bob);
    await callTool(bob, 'elicit_respond', { id: pending!.id, action: 'decline', token: pending!.responseToken });

    expect((await asking).structured).toEqual({ id: pending!.id, state: 'rejected', reason: 'declined', by: 'bob', content: null });
    expect(progressNotes).toBeGreaterThanOrEqual(10);
  });

  it('a cancelled ask is withdrawn', async () => {
    const alice = await harness.connect('alice');
    const bob = await harness.connect('bob');

    await expect(callTool(alice, 'elicit_ask', question('bob'), { timeout: 300 })).rejects.toThrow(/timed out/i);

    // The SDK's timeout sends notifications/cancelled, and the bridge withdraws on it.
    const [asked] = [...harness.runtime.elicitations()];
    await eventually(() => harness.runtime.get(asked!.id)?.state !== 'pending', 5_000, 'the withdrawal');
    expect(harness.runtime.get(asked!.id)).toMatchObject({ state: 'rejected', reason: 'withdrawn', by: 'alice' });
    expect(await pendingFor(bob)).toEqual([]);
  });
});

describe('bridge shutdown', () => {
  it('keeps an asked elicitation pending', async () => {
    const alice = await harness.connect('alice');
    const asking = callTool(alice, 'elicit_ask', question('bob')).catch((error: unknown) => error);
    await eventually(() => harness.runtime.pendingCount === 1, 5_000, 'the request');

    await harness.bridge.close();
    // The SDK's client does not see the bridge close its response stream until its own
    // request timeout, so the test closes the client to end the call.
    await alice.close();

    expect(await asking).toBeInstanceOf(McpError);
    const [asked] = [...harness.runtime.elicitations()];
    expect(asked).toMatchObject({ state: 'pending', from: 'alice', to: 'bob' });
  });
});
