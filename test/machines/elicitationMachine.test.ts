/**
 * Unit tests of the elicitation machine, run as a real XState actor on the runtime's
 * simulated clock: every guard, every final state and the deadline boundary.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import {
  elicitationMachine,
  type ElicitationCommand,
  type ElicitationInput,
  type ElicitationMachine,
  type RefusedEmitted,
} from '../../src/machines/elicitationMachine.js';
import { SimulatedClock } from '../../src/runtime/clock.js';
import { ResponseTokens } from '../../src/security/responseTokens.js';

const startTime = Date.UTC(2026, 0, 1);
const deadline = startTime + 30_000;
const approvalSchema = {
  type: 'object',
  properties: { approved: { type: 'boolean' } },
  required: ['approved'],
  additionalProperties: false,
};

const tokens = new ResponseTokens([{ id: 'test', secret: 'a test secret of more than sixteen bytes' }]);

/** The machine with a real token check, wired the way the runtime wires it. */
const machineWithTokens = elicitationMachine.provide({
  guards: {
    hasValidToken: ({ context, event }) => !context.tokenRequired || tokens.verify(event.token, context.id, context.responder),
  },
});

function inputOf(overrides: Partial<ElicitationInput> = {}): ElicitationInput {
  return {
    id: 'elicitation-1',
    requester: 'alice',
    responder: 'bob',
    schema: approvalSchema,
    deadline,
    armedAt: startTime,
    tokenRequired: false,
    ...overrides,
  };
}

function startElicitation(options: { machine?: ElicitationMachine; input?: Partial<ElicitationInput> } = {}) {
  const input = inputOf(options.input);
  const clock = new SimulatedClock(input.armedAt);
  const actor = createActor(options.machine ?? elicitationMachine, { input, clock });
  const refusals: RefusedEmitted[] = [];
  actor.on('refused', (refusal) => refusals.push(refusal));
  actor.start();
  return { actor, clock, refusals };
}

let commandCount = 0;

function commandOf(type: ElicitationCommand['type'], agent: string, at: number, extra: { content?: unknown; token?: string } = {}): ElicitationCommand {
  commandCount += 1;
  const fields = { agent, at, commandId: `command-${commandCount}`, ...(extra.token === undefined ? {} : { token: extra.token }) };
  if (type === 'ACCEPT') return { type, content: 'content' in extra ? extra.content : { approved: true }, ...fields };
  return { type, ...fields };
}

const commandTypes = ['ACCEPT', 'DECLINE', 'CANCEL', 'WITHDRAW'] as const;
const responderCommands = ['ACCEPT', 'DECLINE', 'CANCEL'] as const;
const senderOf = { ACCEPT: 'bob', DECLINE: 'bob', CANCEL: 'bob', WITHDRAW: 'alice' } as const;
const wrongSenderOf = { ACCEPT: 'alice', DECLINE: 'alice', CANCEL: 'alice', WITHDRAW: 'bob' } as const;

describe('elicitation machine guards', () => {
  it.each(commandTypes)('%s from wrong agent is refused', (type) => {
    const { actor, refusals } = startElicitation();
    const command = commandOf(type, wrongSenderOf[type], startTime + 10);

    actor.send(command);

    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.code).toBe('UNAUTHORIZED');
    expect(refusals[0]?.commandId).toBe(command.commandId);
    expect(actor.getSnapshot().value).toBe('pending');
  });

  it.each(commandTypes)('%s from stranger is refused', (type) => {
    const { actor, refusals } = startElicitation();

    actor.send(commandOf(type, 'mallory', startTime + 10));

    expect(refusals.map((refusal) => refusal.code)).toEqual(['UNAUTHORIZED']);
    expect(actor.getSnapshot().value).toBe('pending');
  });

  it.each(responderCommands)('%s without required token is refused', (type) => {
    const { actor, refusals } = startElicitation({ machine: machineWithTokens, input: { tokenRequired: true } });

    actor.send(commandOf(type, 'bob', startTime + 10));

    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.code).toBe('UNAUTHORIZED');
    expect(refusals[0]?.rule).toMatch(/token/);
    expect(actor.getSnapshot().value).toBe('pending');
  });

  it.each(responderCommands)('%s with forged token is refused', (type) => {
    const { actor, refusals } = startElicitation({ machine: machineWithTokens, input: { tokenRequired: true } });
    const [keyId, nonce, mac] = tokens.issue('elicitation-1', 'bob').split('.');
    const forged = `${keyId}.${nonce}.${mac?.startsWith('A') ? 'B' : 'A'}${mac?.slice(1)}`;

    actor.send(commandOf(type, 'bob', startTime + 10, { token: forged }));

    expect(refusals.map((refusal) => refusal.code)).toEqual(['UNAUTHORIZED']);
    expect(actor.getSnapshot().value).toBe('pending');
  });

  it('token of another elicitation is refused', () => {
    const { actor, refusals } = startElicitation({ machine: machineWithTokens, input: { tokenRequired: true } });

    actor.send(commandOf('ACCEPT', 'bob', startTime + 10, { token: tokens.issue('elicitation-2', 'bob') }));

    expect(refusals.map((refusal) => refusal.code)).toEqual(['UNAUTHORIZED']);
    expect(actor.getSnapshot().value).toBe('pending');
  });

  it('valid token lets accept through', () => {
    const { actor, refusals } = startElicitation({ machine: machineWithTokens, input: { tokenRequired: true } });

    actor.send(commandOf('ACCEPT', 'bob', startTime + 10, { token: tokens.issue('elicitation-1', 'bob') }));

    expect(refusals).toEqual([]);
    expect(actor.getSnapshot().value).toBe('answered');
  });

  it('withdraw needs no response token', () => {
    const { actor, refusals } = startElicitation({ machine: machineWithTokens, input: { tokenRequired: true } });

    actor.send(commandOf('WITHDRAW', 'alice', startTime + 10));

    expect(refusals).toEqual([]);
    expect(actor.getSnapshot().value).toBe('rejected');
  });

  it('default token guard fails closed', () => {
    const { actor, refusals } = startElicitation({ input: { tokenRequired: true } });

    actor.send(commandOf('ACCEPT', 'bob', startTime + 10, { token: tokens.issue('elicitation-1', 'bob') }));

    expect(refusals.map((refusal) => refusal.code)).toEqual(['UNAUTHORIZED']);
    expect(actor.getSnapshot().value).toBe('pending');
  });

  it.each(commandTypes)('%s at the deadline is refused', (type) => {
    const { actor, refusals } = startElicitation();

    actor.send(commandOf(type, senderOf[type], deadline));

    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.code).toBe('EXPIRED');
    expect(actor.getSnapshot().value).toBe('pending');
  });

  it.each(commandTypes)('%s just before deadline is taken', (type) => {
    const { actor, refusals } = startElicitation();

    actor.send(commandOf(type, senderOf[type], deadline - 1));

    expect(refusals).toEqual([]);
    expect(actor.getSnapshot().status).toBe('done');
  });

  it.each([
    ['missing field', {}],
    ['wrong type', { approved: 'yes' }],
    ['extra field', { approved: true, note: 'ok' }],
    ['not an object', 'approved'],
  ])('content with %s is refused', (_case, content) => {
    const { actor, refusals } = startElicitation();

    actor.send(commandOf('ACCEPT', 'bob', startTime + 10, { content }));

    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.code).toBe('INVALID_CONTENT');
    expect(actor.getSnapshot().value).toBe('pending');
  });

  it('refused command can be retried', () => {
    const { actor, refusals } = startElicitation();

    actor.send(commandOf('ACCEPT', 'bob', startTime + 10, { content: {} }));
    actor.send(commandOf('ACCEPT', 'bob', startTime + 20));

    expect(refusals).toHaveLength(1);
    expect(actor.getSnapshot().value).toBe('answered');
  });
});

describe('elicitation machine refusal order', () => {
  const lateBadContent = { content: { approved: 'late and wrong' } };

  it('agent is checked before token', () => {
    const { refusals, actor } = startElicitation({ machine: machineWithTokens, input: { tokenRequired: true } });

    actor.send(commandOf('ACCEPT', 'alice', deadline + 5, lateBadContent));

    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.code).toBe('UNAUTHORIZED');
    expect(refusals[0]?.rule).toBe('only the responder may accept');
  });

  it('token is checked before deadline', () => {
    const { refusals, actor } = startElicitation({ machine: machineWithTokens, input: { tokenRequired: true } });

    actor.send(commandOf('ACCEPT', 'bob', deadline + 5, lateBadContent));

    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.code).toBe('UNAUTHORIZED');
    expect(refusals[0]?.rule).toMatch(/response token/);
  });

  it('deadline is checked before content', () => {
    const { refusals, actor } = startElicitation({ machine: machineWithTokens, input: { tokenRequired: true } });

    actor.send(commandOf('ACCEPT', 'bob', deadline + 5, { ...lateBadContent, token: tokens.issue('elicitation-1', 'bob') }));

    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.code).toBe('EXPIRED');
  });

  it('content is checked last', () => {
    const { refusals, actor } = startElicitation({ machine: machineWithTokens, input: { tokenRequired: true } });

    actor.send(commandOf('ACCEPT', 'bob', deadline - 5, { ...lateBadContent, token: tokens.issue('elicitation-1', 'bob') }));

    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.code).toBe('INVALID_CONTENT');
  });
});

describe('elicitation machine final states', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('valid accept reaches answered', () => {
    const { actor } = startElicitation();
    const command = commandOf('ACCEPT', 'bob', startTime + 10);

    actor.send(command);

    const snapshot = actor.getSnapshot();
    expect(snapshot.value).toBe('answered');
    expect(snapshot.status).toBe('done');
    expect(snapshot.output).toEqual({ state: 'answered', by: 'bob', content: { approved: true }, commandId: command.commandId });
  });

  it.each([
    ['DECLINE', 'bob', 'declined'],
    ['CANCEL', 'bob', 'cancelled'],
    ['WITHDRAW', 'alice', 'withdrawn'],
  ] as const)('%s reaches rejected', (type, agent, reason) => {
    const { actor } = startElicitation();
    const command = commandOf(type, agent, startTime + 10);

    actor.send(command);

    const snapshot = actor.getSnapshot();
    expect(snapshot.value).toBe('rejected');
    expect(snapshot.status).toBe('done');
    expect(snapshot.output).toEqual({ state: 'rejected', by: agent, reason, commandId: command.commandId });
  });

  it('deadline reaches expired', () => {
    const { actor, clock } = startElicitation();

    clock.advanceTo(deadline);

    const snapshot = actor.getSnapshot();
    expect(snapshot.value).toBe('expired');
    expect(snapshot.status).toBe('done');
    expect(snapshot.output).toEqual({ state: 'expired' });
  });

  it.each([
    ['answered', commandOf('ACCEPT', 'bob', startTime + 10)],
    ['rejected', commandOf('DECLINE', 'bob', startTime + 10)],
    ['rejected', commandOf('WITHDRAW', 'alice', startTime + 10)],
  ] as const)('%s state is never left', (state, settling) => {
    // XState warns about every event sent to a stopped actor, which is what this test does.
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { actor, clock, refusals } = startElicitation();
    actor.send(settling);
    const output = actor.getSnapshot().output;

    for (const type of commandTypes) actor.send(commandOf(type, senderOf[type], startTime + 20));
    clock.advanceTo(deadline + 1_000);

    expect(actor.getSnapshot().value).toBe(state);
    expect(actor.getSnapshot().output).toEqual(output);
    expect(refusals).toEqual([]);
  });

  it('expired state is never left', () => {
    // XState warns about every event sent to a stopped actor, which is what this test does.
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { actor, clock, refusals } = startElicitation();
    clock.advanceTo(deadline);

    for (const type of commandTypes) actor.send(commandOf(type, senderOf[type], deadline - 1));
    clock.advanceTo(deadline + 1_000);

    expect(actor.getSnapshot().value).toBe('expired');
    expect(actor.getSnapshot().output).toEqual({ state: 'expired' });
    expect(refusals).toEqual([]);
  });

  it('settling cancels the deadline timer', () => {
    const { actor, clock } = startElicitation();
    expect(clock.pendingTimers).toBe(1);

    actor.send(commandOf('ACCEPT', 'bob', startTime + 10));

    expect(clock.pendingTimers).toBe(0);
  });
});

describe('elicitation machine deadline timer', () => {
  it('expiry fires exactly at deadline', () => {
    const { actor, clock } = startElicitation();
    const expiredAt: number[] = [];
    actor.subscribe((snapshot) => {
      if (snapshot.value === 'expired') expiredAt.push(clock.now());
    });

    clock.advanceTo(deadline + 5_000);

    expect(expiredAt).toEqual([deadline]);
    expect(clock.now()).toBe(deadline + 5_000);
  });

  it('one millisecond early stays pending', () => {
    const { actor, clock } = startElicitation();

    clock.advanceTo(deadline - 1);

    expect(actor.getSnapshot().value).toBe('pending');
    expect(clock.pendingTimers).toBe(1);
  });

  it('late arming still expires at deadline', () => {
    const armedAt = startTime + 12_000;
    const { actor, clock } = startElicitation({ input: { armedAt } });
    const expiredAt: number[] = [];
    actor.subscribe((snapshot) => {
      if (snapshot.value === 'expired') expiredAt.push(clock.now());
    });

    clock.advanceTo(deadline + 1);

    expect(expiredAt).toEqual([deadline]);
  });

  it('passed deadline expires on next fire', () => {
    const { actor, clock } = startElicitation({ input: { armedAt: deadline + 1_000 } });
    expect(actor.getSnapshot().value).toBe('pending');

    clock.fireDue();

    expect(actor.getSnapshot().value).toBe('expired');
    expect(clock.now()).toBe(deadline + 1_000);
  });
});
