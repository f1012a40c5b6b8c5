import type { ElicitRequest, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { elicitationMetaKey } from '../../src/mcp/index.js';
import { aborted, approvalSchema, callTool, eventually, startTestBridge, type TestBridge } from './bridgeHarness.js';

let harness: TestBridge;
beforeEach(async () => {
  harness = await startTestBridge({ maxPushAttempts: 3 });
});
afterEach(() => harness.close());

const question = (to: string, timeoutMs = 30_000) => ({ to, message: 'Deploy release 42?', schema: approvalSchema, timeoutMs });

type FormParams = Extract<ElicitRequest['params'], { requestedSchema: unknown }>;

/** A client handler that records each request and answers from a list, one answer a request. */
function scriptedHandler(answers: ElicitResult[]) {
  const requests: FormParams[] = [];
  const handler = (request: ElicitRequest) => {
    requests.push(request.params as FormParams);
    return answers[requests.length - 1] ?? { action: 'cancel' as const };
  };
  return { requests, handler };
}

describe('push delivery', () => {
  it('sends the form to a capable client', async () => {
    const alice = await harness.connect('alice');
    const bob = scriptedHandler([{ action: 'accept', content: { approved: true, note: 'go' } }]);
    await harness.connect('bob', { handler: bob.handler });

    const outcome = await callTool(alice, 'elicit_ask', question('bob'));

    expect(outcome.structured).toEqual({ id: expect.any(String), state: 'answered', reason: null, by: 'bob', content: { approved: true, note: 'go' } });
    expect(bob.requests).toHaveLength(1);
    expect(bob.requests[0]).toMatchObject({ mode: 'form', message: 'Deploy release 42?', requestedSchema: approvalSchema });
    expect(bob.requests[0]!._meta?.[elicitationMetaKey]).toEqual({ id: outcome.structured.id, from: 'alice', deadline: expect.any(Number) });
  });

  it('a declining client rejects it', async () => {
    const alice = await harness.connect('alice');
    await harness.connect('bob', { handler: scriptedHandler([{ action: 'decline' }, { action: 'cancel' }]).handler });

    const declined = await callTool(alice, 'elicit_ask', question('bob'));
    const cancelled = await callTool(alice, 'elicit_ask', question('bob'));

    expect(declined.structured).toMatchObject({ state: 'rejected', reason: 'declined', by: 'bob', content: null });
    expect(cancelled.structured).toMatchObject({ state: 'rejected', reason: 'cancelled', by: 'bob', content: null });
  });

  it('asks again after content failing the schema', async () => {
    const alice = await harness.connect('alice');
    const bob = scriptedHandler([{ action: 'accept' }, { action: 'accept', content: { approved: 'yes' } }, { action: 'accept', content: { approved: true } }]);
    await harness.connect('bob', { handler: bob.handler });

    const outcome = await callTool(alice, 'elicit_ask', question('bob'));

    expect(outcome.structured).toMatchObject({ state: 'answered', content: { approved: true } });
    expect(bob.requests.map((request) => request.message)).toEqual([
      'Deploy release 42?',
      expect.stringMatching(/^Deploy release 42\?\n\nThe previous answer was not accepted \(the answer must have required property 'approved'.*\)/),
      expect.stringMatching(/previous answer was not accepted \(approved must be boolean\)/),
    ]);
    const types = (await harness.events()).map((event) => event.type);
    expect(types).toEqual(['elicitation.requested', 'elicitation.answered']);
  });

  it('stops pushing after the attempts', async () => {
    const alice = await harness.connect('alice');
    const bob = scriptedHandler([{ action: 'accept', content: { approved: 1 } }, { action: 'accept', content: { approved: 2 } }, { action: 'accept', content: { approved: 3 } }]);
    const bobClient = await harness.connect('bob', { handler: bob.handler });
    const id = (await callTool(alice, 'elicit_request', question('bob'))).structured.id as string;

    await eventually(() => bob.requests.length === 3, 5_000, 'three pushes');
    const stillPending = await callTool(alice, 'elicit_await', { id, waitMs: 200 });
    expect(stillPending.structured).toEqual({ id, state: 'pending' });
    expect(bob.requests).toHaveLength(3);

    const { structured } = await callTool(bobClient, 'elicit_pending');
    const [pending] = structured.elicitations as Array<{ responseToken: string }>;
    const answered = await callTool(bobClient, 'elicit_respond', { id, action: 'accept', content: { approved: true }, token: pending!.responseToken });
    expect(answered.structured).toMatchObject({ state: 'answered', by: 'bob' });
  });

  it('expiry cancels an open client form', async () => {
    const alice = await harness.connect('alice');
    let formOpen = false;
    let cancelled = false;
    await harness.connect('bob', {
      handler: async (_request, signal) => {
        formOpen = true;
        await aborted(signal);
        cancelled = true;
        return { action: 'cancel' };
      },
    });
    const id = (await callTool(alice, 'elicit_request', question('bob', 1_500))).structured.id as string;
    await eventually(() => formOpen, 5_000, 'the form opening');

    const outcome = await callTool(alice, 'elicit_await', { id, waitMs: 5_000 });

    expect(outcome.structured).toEqual({ id, state: 'expired', reason: null, by: null, content: null });
    await eventually(() => cancelled, 5_000, 'the cancellation reaching the client');
    expect((await harness.events()).map((event) => event.type)).toEqual(['elicitation.requested', 'elicitation.expired']);
  });

  it('withdrawal cancels an open client form', async () => {
    const alice = await harness.connect('alice');
    let formOpen = false;
    let reason: unknown;
    await harness.connect('bob', {
      handler: async (_request, signal) => {
        formOpen = true;
        await aborted(signal);
        reason = signal.reason;
        return { action: 'cancel' };
      },
    });
    const id = (await callTool(alice, 'elicit_request', question('bob'))).structured.id as string;
    await eventually(() => formOpen, 5_000, 'the form opening');

    await callTool(alice, 'elicit_withdraw', { id });

    await eventually(() => reason !== undefined, 5_000, 'the cancellation reaching the client');
    expect(String(reason)).toContain(`elicitation ${id} is rejected`);
    expect(harness.runtime.get(id)).toMatchObject({ state: 'rejected', reason: 'withdrawn' });
  });

  it('a tool answer cancels the open form', async () => {
    const alice = await harness.connect('alice');
    let cancelled = false;
    const bob = await harness.connect('bob', {
      handler: async (_request, signal) => {
        await aborted(signal);
        cancelled = true;
        return { action: 'accept', content: { approved: false } };
      },
    });
    const asking = callTool(alice, 'elicit_ask', question('bob'));
    await eventually(async () => ((await callTool(bob, 'elicit_pending')).structured.elicitations as unknown[]).length === 1);
    const [pending] = (await callTool(bob, 'elicit_pending')).structured.elicitations as Array<{ id: string; responseToken: string }>;

    await callTool(bob, 'elicit_respond', { id: pending!.id, action: 'accept', content: { approved: true }, token: pending!.responseToken });

    expect((await asking).structured).toMatchObject({ state: 'answered', content: { approved: true } });
    await eventually(() => cancelled, 5_000, 'the cancellation reaching the client');
    expect(harness.runtime.get(pending!.id)).toMatchObject({ state: 'answered', content: { approved: true } });
  });

  it('answers two pushed forms out of order', async () => {
    const alice = await harness.connect('alice');
    const open: Array<{ message: string; answer: (result: ElicitResult) => void }> = [];
    await harness.connect('bob', {
      handler: (request) => new Promise<ElicitResult>((resolve) => open.push({ message: (request.params as FormParams).message, answer: resolve })),
    });

    const first = callTool(alice, 'elicit_ask', { ...question('bob'), message: 'First?' });
    const second = callTool(alice, 'elicit_ask', { ...question('bob'), message: 'Second?' });
    await eventually(() => open.length === 2, 5_000, 'both forms opening');
    const byMessage = new Map(open.map((form) => [form.message, form]));
    byMessage.get('Second?')!.answer({ action: 'accept', content: { approved: false, note: 'second' } });
    expect((await second).structured).toMatchObject({ state: 'answered', content: { approved: false, note: 'second' } });
    byMessage.get('First?')!.answer({ action: 'accept', content: { approved: true, note: 'first' } });

    expect((await first).structured).toMatchObject({ state: 'answered', content: { approved: true, note: 'first' } });
  });

  it('a late session gets what is pending', async () => {
    const alice = await harness.connect('alice');
    const id = (await callTool(alice, 'elicit_request', question('bob'))).structured.id as string;
    const bob = scriptedHandler([{ action: 'accept', content: { approved: true } }]);

    await harness.connect('bob', { handler: bob.handler });

    const outcome = await callTool(alice, 'elicit_await', { id, waitMs: 5_000 });
    expect(outcome.structured).toMatchObject({ state: 'answered', by: 'bob' });
    expect(bob.requests).toHaveLength(1);
  });

  it('no push to a client without the capability', async () => {
    const alice = await harness.connect('alice');
    const bob = await harness.connect('bob');
    const id = (await callTool(alice, 'elicit_request', question('bob'))).structured.id as string;

    const awaited = await callTool(alice, 'elicit_await', { id, waitMs: 300 });

    expect(awaited.structured).toEqual({ id, state: 'pending' });
    expect(((await callTool(bob, 'elicit_pending')).structured.elicitations as unknown[]).length).toBe(1);
  });
});
