import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callTool, eventually, startTestBridge, type TestBridge } from './bridgeHarness.js';

let harness: TestBridge;
beforeEach(async () => {
  harness = await startTestBridge();
});
afterEach(() => harness.close());

const nameSchema = { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] };

/** Answers, by tool, every elicitation that waits for the client's agent, until `done` turns true. */
async function answerByTool(client: Client, agent: string, done: () => boolean): Promise<number> {
  let answered = 0;
  while (!done()) {
    const { structured } = await callTool(client, 'elicit_pending');
    for (const pending of structured.elicitations as Array<{ id: string; responseToken: string }>) {
      const result = await callTool(client, 'elicit_respond', { id: pending.id, action: 'accept', content: { name: agent }, token: pending.responseToken });
      expect(result.isError).toBe(false);
      answered += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return answered;
}

describe('agents asking each other', () => {
  it('two agents ask each other', async () => {
    const alice = await harness.connect('alice');
    const bob = await harness.connect('bob');
    let finished = false;

    const answering = Promise.all([answerByTool(alice, 'alice', () => finished), answerByTool(bob, 'bob', () => finished)]);
    const [fromBob, fromAlice] = await Promise.all([
      callTool(alice, 'elicit_ask', { to: 'bob', message: 'Your name?', schema: nameSchema, timeoutMs: 10_000 }),
      callTool(bob, 'elicit_ask', { to: 'alice', message: 'Your name?', schema: nameSchema, timeoutMs: 10_000 }),
    ]);
    finished = true;

    expect(fromBob.structured).toMatchObject({ state: 'answered', by: 'bob', content: { name: 'bob' } });
    expect(fromAlice.structured).toMatchObject({ state: 'answered', by: 'alice', content: { name: 'alice' } });
    expect(await answering).toEqual([1, 1]);
  });

  it('fifty agents ask each other at once', async () => {
    const agents = Array.from({ length: 50 }, (_, index) => `agent-${String(index).padStart(2, '0')}`);
    // Even agents answer through their client's form, odd ones by tool.
    const clients = await Promise.all(
      agents.map((agent, index) =>
        harness.connect(agent, index % 2 === 0 ? { handler: () => ({ action: 'accept', content: { name: agent } }) } : {}),
      ),
    );
    let finished = false;
    const answering = Promise.all(agents.map((agent, index) => (index % 2 === 1 ? answerByTool(clients[index]!, agent, () => finished) : Promise.resolve(1))));

    const outcomes = await Promise.all(
      agents.map((_, index) => {
        const next = agents[(index + 1) % agents.length]!;
        return callTool(clients[index]!, 'elicit_ask', { to: next, message: `${agents[index]} asks: your name?`, schema: nameSchema, timeoutMs: 20_000 });
      }),
    );
    finished = true;

    outcomes.forEach((outcome, index) => {
      const next = agents[(index + 1) % agents.length]!;
      expect(outcome.structured).toMatchObject({ state: 'answered', by: next, content: { name: next } });
    });
    expect((await answering).reduce((sum, count) => sum + count, 0)).toBe(50);
    await eventually(async () => (await harness.events()).length === 100, 5_000, 'all 100 events in the store');
    expect(harness.bridge.sessionCount).toBe(50);
  });
});
