/**
 * Unit tests of the machine stepper: one event on a pending elicitation, decided by the
 * elicitation machine through XState's `transition`, without an actor.
 */
import * as fc from 'fast-check';
import { assign } from 'xstate';
import { describe, expect, it } from 'vitest';
import { MachineStepper } from '../../src/actors/machineStepper.js';
import { elicitationMachine, type ElicitationCommand, type ElicitationInput } from '../../src/machines/elicitationMachine.js';

const armedAt = Date.UTC(2026, 0, 1);
const deadline = armedAt + 30_000;
const schema = { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] };

function inputOf(id: string, overrides: Partial<ElicitationInput> = {}): ElicitationInput {
  return { id, requester: 'alice', responder: 'bob', schema, deadline, armedAt, tokenRequired: false, ...overrides };
}

function accept(agent: string, content: unknown, at = armedAt + 10): ElicitationCommand {
  return { type: 'ACCEPT', agent, at, commandId: `accept-${agent}-${at}`, content };
}

describe('machine stepper', () => {
  it('accept by the responder settles answered', () => {
    const stepper = new MachineStepper(elicitationMachine);

    expect(stepper.step(inputOf('a'), accept('bob', { approved: true }))).toEqual({
      kind: 'settled',
      settlement: { state: 'answered', by: 'bob', content: { approved: true }, commandId: `accept-bob-${armedAt + 10}` },
    });
  });

  it('refusals come in the contract order', () => {
    const stepper = new MachineStepper(elicitationMachine);
    const codeOf = (command: ElicitationCommand, input = inputOf('a')) => {
      const step = stepper.step(input, command);
      return step.kind === 'refused' ? step.refusal.code : step.kind;
    };

    expect(codeOf(accept('mallory', { approved: 'yes' }, deadline))).toBe('UNAUTHORIZED');
    expect(codeOf(accept('bob', { approved: 'yes' }, deadline), inputOf('a', { tokenRequired: true }))).toBe('UNAUTHORIZED');
    expect(codeOf(accept('bob', { approved: 'yes' }, deadline))).toBe('EXPIRED');
    expect(codeOf(accept('bob', { approved: 'yes' }))).toBe('INVALID_CONTENT');
  });

  it('refusal carries the rule and the command id', () => {
    const stepper = new MachineStepper(elicitationMachine);

    expect(stepper.step(inputOf('a'), { type: 'WITHDRAW', agent: 'bob', at: armedAt, commandId: 'w1' })).toEqual({
      kind: 'refused',
      refusal: { type: 'refused', code: 'UNAUTHORIZED', rule: 'only the requester may withdraw', commandId: 'w1' },
    });
  });

  it('deadline event settles expired', () => {
    const stepper = new MachineStepper(elicitationMachine);

    expect(stepper.deadlineEvent.type).toBe('xstate.after.untilDeadline.elicitation.pending');
    expect(stepper.step(inputOf('a'), stepper.deadlineEvent)).toEqual({ kind: 'settled', settlement: { state: 'expired' } });
  });

  it('event the machine ignores leaves it unchanged', () => {
    const stepper = new MachineStepper(elicitationMachine);

    expect(stepper.step(inputOf('a'), { type: 'PING' })).toEqual({ kind: 'unchanged' });
  });

  it('steps on one elicitation do not leak into the next', () => {
    const stepper = new MachineStepper(elicitationMachine);

    const refused = stepper.step(inputOf('a'), accept('mallory', { approved: true }));
    const taken = stepper.step(inputOf('b'), accept('bob', { approved: false }));
    const otherResponder = stepper.step(inputOf('c', { responder: 'mallory' }), accept('mallory', { approved: true }));

    expect(refused.kind).toBe('refused');
    expect(taken).toMatchObject({ kind: 'settled', settlement: { state: 'answered', content: { approved: false } } });
    expect(otherResponder).toMatchObject({ kind: 'settled', settlement: { state: 'answered', by: 'mallory' } });
  });

  it('throwing guard propagates', () => {
    const stepper = new MachineStepper(
      elicitationMachine.provide({
        guards: {
          contentMatchesSchema: () => {
            throw new Error('guard failed');
          },
        },
      }),
    );

    expect(() => stepper.step(inputOf('a'), accept('bob', { approved: true }))).toThrow('guard failed');
    expect(stepper.step(inputOf('a'), { type: 'DECLINE', agent: 'bob', at: armedAt, commandId: 'd1' })).toMatchObject({ kind: 'settled' });
  });

  it('throwing custom action propagates', () => {
    const stepper = new MachineStepper(
      elicitationMachine.provide({
        actions: {
          recordExpiry: () => {
            throw new Error('expiry failed');
          },
        },
      }),
    );

    expect(() => stepper.step(inputOf('a'), stepper.deadlineEvent)).toThrow('expiry failed');
  });

  it('pending snapshot equals the resolved one', () => {
    const stepper = new MachineStepper(elicitationMachine);
    const input = inputOf('a', { responder: 'carol' });

    const built = stepper.pendingSnapshot(input);
    const resolved = elicitationMachine.resolveState({ value: 'pending', context: { ...input, settlement: null } });

    expect(built).toEqual(resolved);
    expect(built.value).toBe('pending');
    expect(built.context).toEqual({ ...input, settlement: null });
  });

  it('steps do not change the shared pending template', () => {
    const stepper = new MachineStepper(elicitationMachine);
    const before = stepper.pendingSnapshot(inputOf('a'));

    stepper.step(inputOf('a'), accept('bob', { approved: true }));
    stepper.step(inputOf('b'), stepper.deadlineEvent);
    const after = stepper.pendingSnapshot(inputOf('a'));

    expect(after).toEqual(before);
    expect(after.historyValue).toEqual({});
    expect(after.children).toEqual({});
  });
});

describe('machine stepper, reused deadline outcome', () => {
  it('elicitation machine expiry is reused', () => {
    const stepper = new MachineStepper(elicitationMachine);

    expect(stepper.reusesDeadlineOutcome).toBe(true);
    expect(stepper.step(inputOf('a'), stepper.deadlineEvent)).toEqual({ kind: 'settled', settlement: { state: 'expired' } });
  });

  it('reused outcome equals the machine for any input', () => {
    const stepper = new MachineStepper(elicitationMachine);
    const inputs = fc.record({
      id: fc.uuid(),
      requester: fc.string({ minLength: 1, maxLength: 20 }),
      responder: fc.string({ minLength: 1, maxLength: 20 }),
      schema: fc.constantFrom({ type: 'object' }, { type: 'string' }, schema),
      deadline: fc.integer({ min: 0, max: 2 ** 45 }),
      armedAt: fc.integer({ min: 0, max: 2 ** 45 }),
      tokenRequired: fc.boolean(),
    });

    fc.assert(
      fc.property(inputs, (input) => {
        expect(stepper.step(input, stepper.deadlineEvent)).toEqual(stepper.runMachine(input, stepper.deadlineEvent));
      }),
    );
  });

  it('reused outcome is frozen', () => {
    const stepper = new MachineStepper(elicitationMachine);
    const outcome = stepper.step(inputOf('a'), stepper.deadlineEvent);

    expect(Object.isFrozen(outcome)).toBe(true);
    expect(outcome.kind).toBe('settled');
    expect(Object.isFrozen((outcome as { settlement: unknown }).settlement)).toBe(true);
  });

  it('expiry that reads context runs each time', () => {
    const readsContext = elicitationMachine.provide({
      actions: { recordExpiry: assign({ settlement: ({ context }) => ({ state: 'expired', responder: context.responder }) as never }) },
    });
    const stepper = new MachineStepper(readsContext);

    expect(stepper.reusesDeadlineOutcome).toBe(false);
    expect(stepper.step(inputOf('a'), stepper.deadlineEvent)).toEqual({ kind: 'settled', settlement: { state: 'expired', responder: 'bob' } });
    expect(stepper.step(inputOf('b', { responder: 'carol' }), stepper.deadlineEvent)).toEqual({ kind: 'settled', settlement: { state: 'expired', responder: 'carol' } });
  });

  it('expiry with its own effect runs each time', () => {
    const expired: string[] = [];
    const withEffect = elicitationMachine.provide({
      actions: {
        recordExpiry: ({ context }) => {
          expired.push(context.id);
        },
      },
    });
    const stepper = new MachineStepper(withEffect);

    stepper.step(inputOf('a'), stepper.deadlineEvent);
    stepper.step(inputOf('b'), stepper.deadlineEvent);

    // The stepper's probe at construction collects the action without running it.
    expect(stepper.reusesDeadlineOutcome).toBe(false);
    expect(expired).toEqual(['a', 'b']);
  });
});
