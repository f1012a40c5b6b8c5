/**
 * Unit tests of the supervisor on the simulated clock: routing by id, passivation between
 * commands, deadline wake-ups, release of settled elicitations, and containment of a machine
 * that throws. Each runs twice: with an `inspect` observer, so the machine runs on spawned
 * actors, and without one, so it runs on the stepper.
 */
import { describe, expect, it } from 'vitest';
import type { ActorRefLike, InspectionEvent } from 'xstate';
import { Supervisor, type Delivery, type SupervisorHooks } from '../../src/actors/supervisor.js';
import {
  elicitationMachine,
  type ElicitationCommand,
  type ElicitationInput,
  type ElicitationMachine,
  type Settlement,
} from '../../src/machines/elicitationMachine.js';
import { SimulatedClock } from '../../src/runtime/clock.js';

const startTime = Date.UTC(2026, 0, 1);
const deadline = startTime + 30_000;
const approvalSchema = { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] };

/** The machine whose content guard throws, standing for any bug inside an actor. */
const throwingMachine = elicitationMachine.provide({
  guards: {
    contentMatchesSchema: () => {
      throw new Error('boom');
    },
  },
});

/** The machine whose expiry action throws, so every deadline ends in a failure. */
const failingExpiryMachine = elicitationMachine.provide({
  actions: {
    recordExpiry: () => {
      throw new Error('expiry failed');
    },
  },
});

/** What the harness keeps of a pending elicitation. The `inputOf` hook adds `armedAt` when the actor spawns. */
type PendingInput = Omit<ElicitationInput, 'armedAt'>;

function pendingInput(id: string, overrides: Partial<PendingInput> = {}): PendingInput {
  return {
    id,
    requester: 'alice',
    responder: 'bob',
    schema: approvalSchema,
    deadline,
    tokenRequired: false,
    ...overrides,
  };
}

/**
 * Waits one macrotask. XState rethrows an error no observer handled on a timer, and
 * vitest fails the run on such an error, so waiting here lets it land inside the test.
 */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function accept(at: number, agent = 'bob'): ElicitationCommand {
  return { type: 'ACCEPT', agent, at, commandId: `accept-${at}`, content: { approved: true } };
}

function decline(at: number): ElicitationCommand {
  return { type: 'DECLINE', agent: 'bob', at, commandId: `decline-${at}` };
}

function withdraw(at: number): ElicitationCommand {
  return { type: 'WITHDRAW', agent: 'alice', at, commandId: `withdraw-${at}` };
}

/** How the supervisor runs the machine: on actors (an `inspect` observer is given) or on the stepper. */
type Mode = 'actors' | 'stepper';

interface HarnessOptions {
  readonly machine?: ElicitationMachine;
  readonly onSettled?: SupervisorHooks['onSettled'];
  readonly onFailure?: SupervisorHooks['onFailure'];
  readonly clock?: SimulatedClock;
}

/** A host clock that fires timers longer than a second half a second early, which the RuntimeClock interface does not rule out. */
class EarlyFiringClock extends SimulatedClock {
  override setTimeout(callback: () => void, delayMs: number) {
    return super.setTimeout(callback, delayMs > 1_000 ? delayMs - 500 : delayMs);
  }

  override setKeyedTimeout(callback: (key: string) => void, key: string, delayMs: number) {
    return super.setKeyedTimeout(callback, key, delayMs > 1_000 ? delayMs - 500 : delayMs);
  }
}

function startHarness(mode: Mode, options: HarnessOptions = {}) {
  const clock = options.clock ?? new SimulatedClock(startTime);
  const inputs = new Map<string, PendingInput>();
  const inputRequests: Array<{ id: string; now: number }> = [];
  const settled: Array<{ id: string; settlement: Settlement; pending: boolean; at: number }> = [];
  const failures: Array<{ id: string; error: unknown; pending: boolean; at: number }> = [];
  const inspections: InspectionEvent[] = [];

  const supervisor: Supervisor = new Supervisor({
    machine: options.machine ?? elicitationMachine,
    clock,
    ...(mode === 'actors' ? { inspect: (event: InspectionEvent) => inspections.push(event) } : {}),
    hooks: {
      inputOf: (id, now) => {
        inputRequests.push({ id, now });
        const input = inputs.get(id);
        return input === undefined ? undefined : { ...input, armedAt: now };
      },
      onSettled: (id, settlement) => {
        settled.push({ id, settlement, pending: supervisor.has(id), at: clock.now() });
        options.onSettled?.(id, settlement);
      },
      onFailure: (id, error) => {
        failures.push({ id, error, pending: supervisor.has(id), at: clock.now() });
        options.onFailure?.(id, error);
      },
    },
  });

  /** Keeps the input of `id` and registers its deadline, as the runtime does for a request. */
  function supervise(id: string, overrides: Partial<PendingInput> = {}): void {
    const input = pendingInput(id, overrides);
    inputs.set(id, input);
    supervisor.register(id, input.deadline);
  }

  return { supervisor, clock, inputs, supervise, inputRequests, settled, failures, inspections };
}

/** Lists the actors that received an event of `type`, in the order they received it. */
function actorsReceiving(inspections: readonly InspectionEvent[], type: string): ActorRefLike[] {
  return inspections.flatMap((event) => (event.type === '@xstate.event' && event.event.type === type ? [event.actorRef] : []));
}

function delayedEventTypes(inspections: readonly InspectionEvent[]): string[] {
  return inspections.flatMap((event) =>
    event.type === '@xstate.event' && event.event.type.startsWith('xstate.after.') ? [event.event.type] : [],
  );
}

describe.each<Mode>(['actors', 'stepper'])('on %s', (mode) => {
  const startSupervisor = (options: HarnessOptions = {}) => startHarness(mode, options);

  describe('supervisor routing and release', () => {
    it('registered elicitations are pending', () => {
      const { supervisor, supervise, clock, inputRequests } = startSupervisor();

      supervise('a');
      supervise('b');

      expect(supervisor.size).toBe(2);
      expect(supervisor.has('a')).toBe(true);
      expect(supervisor.has('b')).toBe(true);
      expect(supervisor.liveActors).toBe(0);
      expect(clock.pendingTimers).toBe(2);
      expect(inputRequests).toEqual([]);
    });

    it('accepted elicitation is released', () => {
      const { supervisor, supervise, clock, settled } = startSupervisor();
      supervise('a');
      supervise('b');

      const delivery = supervisor.deliver('a', accept(startTime + 10));

      expect(delivery).toEqual({ kind: 'taken' });
      expect(supervisor.size).toBe(1);
      expect(supervisor.has('a')).toBe(false);
      expect(supervisor.has('b')).toBe(true);
      expect(supervisor.liveActors).toBe(0);
      expect(clock.pendingTimers).toBe(1);
      // The deadline slot is released before the hook runs, so `has` is already false there.
      expect(settled).toEqual([
        {
          id: 'a',
          settlement: { state: 'answered', by: 'bob', content: { approved: true }, commandId: `accept-${startTime + 10}` },
          pending: false,
          at: startTime,
        },
      ]);
    });

    it('expired elicitation is released', () => {
      const { supervisor, supervise, clock, settled } = startSupervisor();
      supervise('a');
      supervise('b', { deadline: deadline + 1_000 });

      clock.advanceTo(deadline);

      expect(supervisor.size).toBe(1);
      expect(supervisor.has('a')).toBe(false);
      expect(supervisor.has('b')).toBe(true);
      expect(supervisor.liveActors).toBe(0);
      expect(settled).toEqual([{ id: 'a', settlement: { state: 'expired' }, pending: false, at: deadline }]);
      expect(clock.pendingTimers).toBe(1);
    });

    it('unknown id is not pending', () => {
      const { supervisor, supervise, inputRequests } = startSupervisor();
      supervise('a');

      expect(supervisor.deliver('missing', accept(startTime + 10))).toEqual({ kind: 'not-pending' });
      expect(supervisor.size).toBe(1);
      expect(supervisor.liveActors).toBe(0);
      expect(inputRequests).toEqual([]);
    });

    it('released id is not pending', () => {
      const { supervisor, supervise, settled, inputRequests } = startSupervisor();
      supervise('a');
      supervisor.deliver('a', decline(startTime + 10));

      const delivery = supervisor.deliver('a', accept(startTime + 20));

      expect(delivery).toEqual({ kind: 'not-pending' });
      expect(settled).toHaveLength(1);
      // The harness still has an input for `a`, so the supervisor's own bookkeeping returns 'not-pending'.
      expect(inputRequests).toEqual([{ id: 'a', now: startTime }]);
    });

    it('refused command keeps elicitation pending', () => {
      const { supervisor, supervise, clock, settled } = startSupervisor();
      supervise('a');

      const delivery = supervisor.deliver('a', accept(startTime + 10, 'mallory'));

      expect(delivery.kind).toBe('refused');
      expect(delivery.kind === 'refused' ? delivery.refusal.code : undefined).toBe('UNAUTHORIZED');
      expect(delivery.kind === 'refused' ? delivery.refusal.commandId : undefined).toBe(`accept-${startTime + 10}`);
      expect(supervisor.has('a')).toBe(true);
      expect(supervisor.size).toBe(1);
      expect(settled).toEqual([]);
    });

    it('refusal does not leak into next delivery', () => {
      const { supervisor, supervise } = startSupervisor();
      supervise('a');
      supervisor.deliver('a', accept(startTime + 10, 'mallory'));

      expect(supervisor.deliver('a', accept(startTime + 20))).toEqual({ kind: 'taken' });
    });

    it('stopAll releases every elicitation', () => {
      const { supervisor, supervise, clock, settled, inputRequests } = startSupervisor();
      supervise('a');
      supervise('b');

      supervisor.stopAll();
      clock.advanceTo(deadline + 1_000);

      expect(supervisor.size).toBe(0);
      expect(supervisor.liveActors).toBe(0);
      expect(clock.pendingTimers).toBe(0);
      expect(settled).toEqual([]);
      expect(inputRequests).toEqual([]);
    });
  });

  describe('supervisor passivation', () => {
    it('no actors live between commands', () => {
      const { supervisor, supervise, clock } = startSupervisor();
      supervise('a');
      supervise('b');
      expect(supervisor.liveActors).toBe(0);

      supervisor.deliver('a', accept(startTime + 10, 'mallory'));
      expect(supervisor.liveActors).toBe(0);

      supervisor.deliver('a', accept(startTime + 20, 'bob'));
      expect(supervisor.liveActors).toBe(0);

      clock.advanceTo(startTime + 1_000);
      expect(supervisor.liveActors).toBe(0);

      supervisor.deliver('b', withdraw(startTime + 1_000));
      expect(supervisor.liveActors).toBe(0);
      expect(supervisor.size).toBe(0);
    });

    it('refused command leaves no actor live', () => {
      const { supervisor, supervise, clock } = startSupervisor();
      supervise('a');

      const delivery = supervisor.deliver('a', { type: 'ACCEPT', agent: 'bob', at: startTime + 10, commandId: 'c1', content: { approved: 'yes' } });

      expect(delivery.kind === 'refused' ? delivery.refusal.code : delivery.kind).toBe('INVALID_CONTENT');
      expect(supervisor.liveActors).toBe(0);
      // Only the deadline wake-up remains, because stopping the actor cancelled its delayed transition.
      expect(clock.pendingTimers).toBe(1);
    });

    it('each command runs the machine from an input armed now', () => {
      const { supervisor, supervise, clock, inputRequests } = startSupervisor();
      supervise('a');

      supervisor.deliver('a', accept(startTime + 10, 'mallory'));
      clock.advanceTo(startTime + 5_000);
      supervisor.deliver('a', accept(startTime + 5_000));

      expect(inputRequests).toEqual([
        { id: 'a', now: startTime },
        { id: 'a', now: startTime + 5_000 },
      ]);
    });

    it('passivated elicitation expires at its deadline', () => {
      const { supervisor, supervise, clock, settled } = startSupervisor();
      supervise('a');
      clock.advanceTo(startTime + 5_000);
      supervisor.deliver('a', accept(startTime + 5_000, 'mallory'));

      clock.advanceTo(deadline - 1);
      expect(settled).toEqual([]);

      clock.advanceTo(deadline + 1_000);

      expect(settled).toEqual([{ id: 'a', settlement: { state: 'expired' }, pending: false, at: deadline }]);
      expect(supervisor.size).toBe(0);
      expect(clock.pendingTimers).toBe(0);
    });
  });

  describe('supervisor deadlines', () => {
    it('deadline wake-up spawns and expires the actor', () => {
      const { supervisor, supervise, clock, settled, inputRequests, inspections } = startSupervisor();
      supervise('a');

      clock.advanceTo(deadline - 1);
      expect(inputRequests).toEqual([]);
      expect(inspections).toEqual([]);

      clock.advanceTo(deadline + 1_000);

      expect(inputRequests).toEqual([{ id: 'a', now: deadline }]);
      // Only an actor shows its delayed event to the observer; the stepper has no observer.
      expect(delayedEventTypes(inspections)).toHaveLength(mode === 'actors' ? 1 : 0);
      expect(settled).toEqual([{ id: 'a', settlement: { state: 'expired' }, pending: false, at: deadline }]);
      expect(supervisor.size).toBe(0);
      expect(supervisor.liveActors).toBe(0);
      expect(clock.pendingTimers).toBe(0);
    });

    it('early wake-up does not expire before deadline', () => {
      const { supervisor, supervise, clock, settled } = startSupervisor({ clock: new EarlyFiringClock(startTime) });
      supervise('a');

      clock.advanceTo(deadline - 1);
      expect(settled).toEqual([]);
      expect(supervisor.has('a')).toBe(true);

      clock.advanceTo(deadline);
      expect(settled).toEqual([{ id: 'a', settlement: { state: 'expired' }, pending: false, at: deadline }]);
    });

    it('deadlines fire in deadline order', () => {
      const { supervise, clock, settled, inputRequests } = startSupervisor();
      supervise('late', { deadline: deadline + 1_000 });
      supervise('first');
      supervise('middle', { deadline: deadline + 500 });

      clock.advanceTo(deadline + 2_000);

      expect(settled.map((entry) => [entry.id, entry.at])).toEqual([
        ['first', deadline],
        ['middle', deadline + 500],
        ['late', deadline + 1_000],
      ]);
      expect(inputRequests.map((request) => [request.id, request.now])).toEqual([
        ['first', deadline],
        ['middle', deadline + 500],
        ['late', deadline + 1_000],
      ]);
    });

    it('tied deadlines fire in registration order', () => {
      const { supervise, clock, settled } = startSupervisor();
      supervise('c');
      supervise('a');
      supervise('b');

      clock.advanceTo(deadline);

      expect(settled.map((entry) => [entry.id, entry.at])).toEqual([
        ['c', deadline],
        ['a', deadline],
        ['b', deadline],
      ]);
    });

    it('command at deadline finds it expired', () => {
      const { supervisor, supervise, clock, settled } = startSupervisor();
      supervise('a');

      // Time reaching the deadline fires the wake-up before any command at that time runs.
      clock.advanceTo(deadline);
      const delivery = supervisor.deliver('a', accept(deadline));

      expect(delivery).toEqual({ kind: 'not-pending' });
      expect(settled).toEqual([{ id: 'a', settlement: { state: 'expired' }, pending: false, at: deadline }]);
    });

    it('command stamped at deadline is refused', () => {
      const { supervisor, supervise, clock, settled } = startSupervisor();
      supervise('a');
      clock.advanceTo(deadline - 1);

      // This command is stamped with the deadline but arrives before the wake-up has run, as when
      // a wall-clock timer fires late. The machine's guard refuses it, and the wake-up still expires it.
      const delivery = supervisor.deliver('a', accept(deadline));
      clock.advanceTo(deadline);

      expect(delivery.kind === 'refused' ? delivery.refusal.code : delivery.kind).toBe('EXPIRED');
      expect(settled).toEqual([{ id: 'a', settlement: { state: 'expired' }, pending: false, at: deadline }]);
      expect(clock.pendingTimers).toBe(0);
    });

    it('discarded id is not pending', () => {
      const { supervisor, supervise, clock, settled, inputRequests } = startSupervisor();
      supervise('a');
      supervise('b');

      supervisor.discard('a');
      expect(clock.pendingTimers).toBe(1);
      const delivery = supervisor.deliver('a', accept(startTime + 10));
      clock.advanceTo(deadline + 1_000);

      expect(delivery).toEqual({ kind: 'not-pending' });
      expect(supervisor.has('a')).toBe(false);
      expect(settled.map((entry) => entry.id)).toEqual(['b']);
      expect(inputRequests.map((request) => request.id)).toEqual(['b']);
      expect(clock.pendingTimers).toBe(0);
    });

    it('discard stops a woken actor', () => {
      // `a` and `b` share a deadline, so both actors are spawned before either expires, and
      // the hook of `a` discards `b` while its actor waits for its delayed transition.
      const harness = startSupervisor({
        onSettled: (id) => {
          if (id === 'a') harness.supervisor.discard('b');
        },
      });
      harness.supervise('a');
      harness.supervise('b');

      harness.clock.advanceTo(deadline + 1_000);

      // Actors for both are spawned before either expires; the stepper never reads the input of `b`.
      expect(harness.inputRequests.map((request) => request.id)).toEqual(mode === 'actors' ? ['a', 'b'] : ['a']);
      expect(harness.settled.map((entry) => entry.id)).toEqual(['a']);
      expect(harness.supervisor.size).toBe(0);
      expect(harness.supervisor.liveActors).toBe(0);
      expect(harness.clock.pendingTimers).toBe(0);
    });

    it('woken actor takes commands', () => {
      // `a` and `b` share a deadline, so the hook of `a` runs while the actor of `b` is live,
      // woken and waiting for its delayed transition. A command stamped before the deadline
      // can still arrive then, as when a wall-clock timer fires late.
      const deliveries: Delivery[] = [];
      const harness = startSupervisor({
        onSettled: (id) => {
          if (id !== 'a') return;
          deliveries.push(harness.supervisor.deliver('b', accept(deadline - 1, 'mallory')));
          deliveries.push(harness.supervisor.deliver('b', accept(deadline - 1)));
        },
      });
      harness.supervise('a');
      harness.supervise('b');

      harness.clock.advanceTo(deadline);

      expect(deliveries.map((delivery) => (delivery.kind === 'refused' ? delivery.refusal.code : delivery.kind))).toEqual([
        'UNAUTHORIZED',
        'taken',
      ]);
      // The live actor of `b` takes both commands; the stepper reads the input for each.
      expect(harness.inputRequests.map((request) => request.id)).toEqual(mode === 'actors' ? ['a', 'b'] : ['a', 'b', 'b']);
      expect(harness.settled.map((entry) => [entry.id, entry.settlement.state])).toEqual([
        ['a', 'expired'],
        ['b', 'answered'],
      ]);
      expect(harness.supervisor.size).toBe(0);
      expect(harness.supervisor.liveActors).toBe(0);
      expect(harness.clock.pendingTimers).toBe(0);
    });
  });

  describe('supervisor registration', () => {
    it('registering again replaces the deadline', () => {
      const { supervisor, supervise, clock, settled } = startSupervisor();
      supervise('a');
      supervise('a', { deadline: deadline + 60_000 });

      expect(clock.pendingTimers).toBe(1);
      clock.advanceTo(deadline + 60_000);
      expect(settled.map((entry) => [entry.id, entry.at])).toEqual([['a', deadline + 60_000]]);
      expect(supervisor.size).toBe(0);
    });

    it('releases an id the host no longer has', () => {
      const { supervisor, supervise, inputs, clock } = startSupervisor();
      supervise('a');
      inputs.delete('a');

      expect(supervisor.deliver('a', accept(startTime + 10))).toEqual({ kind: 'not-pending' });
      expect(supervisor.has('a')).toBe(false);
      expect(supervisor.size).toBe(0);
      expect(clock.pendingTimers).toBe(0);
    });
  });

  describe('supervisor failure containment', () => {
    it('throwing actor is reported failed', async () => {
      const { supervisor, supervise, failures } = startSupervisor({ machine: throwingMachine });
      supervise('a');

      const delivery = supervisor.deliver('a', accept(startTime + 10));
      await nextMacrotask();

      expect(delivery.kind).toBe('failed');
      expect(delivery.kind === 'failed' ? (delivery.error as Error).message : undefined).toMatch(/boom/);
      expect(failures).toHaveLength(1);
      expect(failures[0]?.id).toBe('a');
      expect(failures[0]?.error).toBe(delivery.kind === 'failed' ? delivery.error : undefined);
      expect(supervisor.liveActors).toBe(0);
    });

    it('failed elicitation stays pending', () => {
      const { supervisor, supervise, failures, settled } = startSupervisor({ machine: throwingMachine });
      supervise('a');
      supervisor.deliver('a', accept(startTime + 10));

      const delivery = supervisor.deliver('a', decline(startTime + 20));

      expect(failures[0]?.pending).toBe(true);
      expect(delivery).toEqual({ kind: 'taken' });
      expect(settled.map((entry) => [entry.id, entry.settlement])).toEqual([
        ['a', { state: 'rejected', by: 'bob', reason: 'declined', commandId: `decline-${startTime + 20}` }],
      ]);
    });

    it('next command after a failure is taken', async () => {
      let guardCalls = 0;
      const throwsOnce = elicitationMachine.provide({
        guards: {
          contentMatchesSchema: () => {
            guardCalls += 1;
            if (guardCalls === 1) throw new Error('guard failed');
            return true;
          },
        },
      });
      const { supervisor, supervise, failures, settled, inputRequests } = startSupervisor({ machine: throwsOnce });
      supervise('a');

      const failed = supervisor.deliver('a', accept(startTime + 10));
      const retried = supervisor.deliver('a', accept(startTime + 20));
      await nextMacrotask();

      expect(failed.kind).toBe('failed');
      expect(failed.kind === 'failed' ? (failed.error as Error).message : undefined).toMatch(/guard failed/);
      expect(retried).toEqual({ kind: 'taken' });
      expect(failures).toHaveLength(1);
      expect(settled.map((entry) => [entry.id, entry.settlement])).toEqual([
        ['a', { state: 'answered', by: 'bob', content: { approved: true }, commandId: `accept-${startTime + 20}` }],
      ]);
      expect(inputRequests).toEqual([
        { id: 'a', now: startTime },
        { id: 'a', now: startTime },
      ]);
    });

    it('failed elicitation keeps its deadline', () => {
      const { supervisor, supervise, clock, settled } = startSupervisor({ machine: throwingMachine });
      supervise('a');
      clock.advanceTo(startTime + 5_000);
      supervisor.deliver('a', accept(startTime + 5_000));

      clock.advanceTo(deadline + 1_000);

      expect(settled.map((entry) => [entry.id, entry.settlement, entry.at])).toEqual([['a', { state: 'expired' }, deadline]]);
      expect(supervisor.size).toBe(0);
      expect(clock.pendingTimers).toBe(0);
    });

    it('failed actor leaves no stale timer', () => {
      const { supervisor, supervise, clock } = startSupervisor({ machine: throwingMachine });
      supervise('a');
      supervise('b');

      supervisor.deliver('a', accept(startTime + 10));

      expect(supervisor.size).toBe(2);
      expect(supervisor.liveActors).toBe(0);
      expect(clock.pendingTimers).toBe(2);
    });

    it('other elicitations keep working', async () => {
      const { supervisor, supervise, settled } = startSupervisor({ machine: throwingMachine });
      supervise('a');
      supervise('b');
      supervisor.deliver('a', accept(startTime + 10));

      const delivery = supervisor.deliver('b', decline(startTime + 20));
      await nextMacrotask();

      expect(delivery).toEqual({ kind: 'taken' });
      expect(settled.map((entry) => entry.id)).toEqual(['b']);
      expect(supervisor.has('a')).toBe(true);
      expect(supervisor.has('b')).toBe(false);
    });

    it('repeated failures are each contained', () => {
      const { supervisor, supervise, failures } = startSupervisor({ machine: throwingMachine });
      supervise('a');

      const kinds = [10, 20, 30].map((offset) => supervisor.deliver('a', accept(startTime + offset)).kind);

      expect(kinds).toEqual(['failed', 'failed', 'failed']);
      expect(failures.map((failure) => failure.id)).toEqual(['a', 'a', 'a']);
      expect(supervisor.size).toBe(1);
      expect(supervisor.liveActors).toBe(0);
    });

    it('throwing expiry does not spin', async () => {
      // This safety stop exists for this test only. Without it, a supervisor that respawned the
      // actor forever would hang the test run instead of failing it. Clearing the inputs too
      // means that even a respawn that ignores `stopAll` finds nothing to spawn.
      const failureLimit = 100;
      let failureCount = 0;
      const harness = startSupervisor({
        machine: failingExpiryMachine,
        onFailure: () => {
          failureCount += 1;
          if (failureCount < failureLimit) return;
          harness.inputs.clear();
          harness.supervisor.stopAll();
        },
      });
      harness.supervise('a');
      harness.supervise('b', { deadline: deadline + 1_000 });

      harness.clock.advanceTo(deadline + 2_000);
      await nextMacrotask();

      expect(failureCount).toBeGreaterThan(0);
      expect(failureCount).toBeLessThan(failureLimit);
      // Each failed deadline is tried again one second later, so the failures recur at a
      // bounded rate instead of spinning inside one advance.
      expect(harness.failures.map((failure) => [failure.id, (failure.error as Error).message, failure.at])).toEqual([
        ['a', 'expiry failed', deadline],
        ['b', 'expiry failed', deadline + 1_000],
        ['a', 'expiry failed', deadline + 1_000],
        ['b', 'expiry failed', deadline + 2_000],
        ['a', 'expiry failed', deadline + 2_000],
      ]);
      expect(harness.settled).toEqual([]);
      expect(harness.supervisor.liveActors).toBe(0);
      expect(harness.supervisor.size).toBe(2);
      expect(harness.clock.pendingTimers).toBe(2);
      expect(harness.clock.now()).toBe(deadline + 2_000);
    });

    it('throwing settle hook is contained', async () => {
      const { supervisor, supervise, failures } = startSupervisor({
        onSettled: () => {
          throw new Error('hook failed');
        },
      });
      supervise('a');

      const delivery = supervisor.deliver('a', accept(startTime + 10));
      await nextMacrotask();

      expect(delivery.kind).toBe('failed');
      expect(failures.map((failure) => (failure.error as Error).message)).toEqual(['hook failed']);
      expect(supervisor.has('a')).toBe(false);
      expect(supervisor.liveActors).toBe(0);
    });
  });
});

describe('supervisor with an inspect observer', () => {
  it('inspect option receives XState events', () => {
    const { supervisor, supervise, inspections } = startHarness('actors');
    supervise('a');

    supervisor.deliver('a', accept(startTime + 10));

    const inspectionTypes = new Set(inspections.map((event) => event.type));
    expect(inspectionTypes).toContain('@xstate.actor');
    expect(inspectionTypes).toContain('@xstate.event');
    expect(inspectionTypes).toContain('@xstate.snapshot');
    expect(actorsReceiving(inspections, 'ACCEPT')).toHaveLength(1);
    const finalSnapshots = inspections.flatMap((event) =>
      event.type === '@xstate.snapshot' && event.snapshot.status === 'done' ? [event.snapshot.output] : [],
    );
    expect(finalSnapshots).toEqual([{ state: 'answered', by: 'bob', content: { approved: true }, commandId: `accept-${startTime + 10}` }]);
  });

  it('each command spawns a fresh actor', () => {
    const { supervisor, supervise, clock, inspections } = startHarness('actors');
    supervise('a');

    supervisor.deliver('a', accept(startTime + 10, 'mallory'));
    clock.advanceTo(startTime + 5_000);
    supervisor.deliver('a', accept(startTime + 5_000));

    const [first, second] = actorsReceiving(inspections, 'ACCEPT');
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
  });

  it('failed actor is not reused', async () => {
    let guardCalls = 0;
    const throwsOnce = elicitationMachine.provide({
      guards: {
        contentMatchesSchema: () => {
          guardCalls += 1;
          if (guardCalls === 1) throw new Error('guard failed');
          return true;
        },
      },
    });
    const { supervisor, supervise, inspections } = startHarness('actors', { machine: throwsOnce });
    supervise('a');

    supervisor.deliver('a', accept(startTime + 10));
    supervisor.deliver('a', accept(startTime + 20));
    await nextMacrotask();

    const [failedActor, freshActor] = actorsReceiving(inspections, 'ACCEPT');
    expect(failedActor).toBeDefined();
    expect(freshActor).toBeDefined();
    expect(freshActor).not.toBe(failedActor);
  });
});
