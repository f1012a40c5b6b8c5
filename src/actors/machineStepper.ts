/**
 * Runs the elicitation machine on one event without an actor: XState's own
 * `machine.transition(snapshot, event, scope)` on a snapshot rebuilt from the elicitation's
 * input, with one inert actor scope made once and reused.
 *
 * XState's exported `transition()` does the same, but makes a new actor and actor system for
 * every call, which is two thirds of its cost. A spawned actor costs about three times as much
 * again. Guards, assignments and the final output are XState's, so the machine still makes every decision.
 * The actions XState hands back are not run as an actor would run them: the deadline timer
 * that entering `pending` schedules (`xstate.raise` with a delay, `xstate.cancel`) belongs
 * to the supervisor, which sends `deadlineEvent` when it is due, and an `xstate.emit` of
 * `refused` is returned to the caller.
 */
import { createActor, type AnyEventObject, type ExecutableActionObject, type SnapshotFrom } from 'xstate';
import type { ElicitationCommand, ElicitationInput, ElicitationMachine, RefusedEmitted, Settlement } from '../machines/elicitationMachine.js';

/** The actor scope `machine.transition` takes. */
type ElicitationScope = Parameters<ElicitationMachine['transition']>[2];

/** The outcome of one event on a pending elicitation. */
export type Step =
  | { readonly kind: 'settled'; readonly settlement: Settlement }
  | { readonly kind: 'refused'; readonly refusal: RefusedEmitted }
  | { readonly kind: 'unchanged' };

/** The actions whose effects the supervisor takes over, as described above. */
const timerActions = new Set(['xstate.raise', 'xstate.cancel']);

export class MachineStepper {
  /** The event XState raises when the `pending` state's `after` delay runs out. */
  readonly deadlineEvent: AnyEventObject;
  private readonly scope: ElicitationScope;
  /** A `pending` snapshot resolved once, whose context each step replaces. */
  private readonly pendingTemplate: SnapshotFrom<ElicitationMachine>;
  private actions: ExecutableActionObject[] = [];

  constructor(private readonly machine: ElicitationMachine) {
    const delayed = machine.states.pending?.after ?? [];
    if (delayed.length !== 1) throw new Error(`the elicitation machine's pending state has ${delayed.length} delayed transitions; the stepper expects one, the deadline`);
    this.deadlineEvent = { type: delayed[0]!.eventType };

    // Never started: it only gives the scope a `self` and a `system`, as XState's own inert scope does.
    const self = createActor(machine, { input: undefined as unknown as ElicitationInput });
    this.pendingTemplate = machine.resolveState({ value: 'pending', context: self.getSnapshot().context });
    this.scope = {
      self: self as unknown as ElicitationScope['self'],
      id: '',
      sessionId: '',
      system: self.system,
      logger: () => undefined,
      defer: () => undefined,
      emit: () => undefined,
      stopChild: () => undefined,
      actionExecutor: (action) => {
        this.actions.push(action);
      },
    };
  }

  /**
   * Runs `event` on the pending elicitation described by `input` and returns the machine's
   * outcome. An error thrown by a guard or action propagates, and nothing is changed.
   */
  step(input: ElicitationInput, event: ElicitationCommand | AnyEventObject): Step {
    const pending = this.pendingSnapshot(input);
    this.actions = [];
    const next = this.machine.transition(pending, event as ElicitationCommand, this.scope);
    const actions = this.actions;
    this.actions = [];

    let refusal: RefusedEmitted | undefined;
    for (const action of actions) {
      if (action.type === 'xstate.emit') refusal = (action.params as { event: RefusedEmitted }).event;
      else if (!timerActions.has(action.type)) action.exec?.(action.info, action.params);
    }

    if (next.status === 'error') throw next.error;
    if (next.status === 'done') return { kind: 'settled', settlement: next.output };
    if (refusal !== undefined) return { kind: 'refused', refusal };
    return { kind: 'unchanged' };
  }

  /**
   * Returns the `pending` snapshot of the elicitation described by `input`: what
   * `machine.resolveState({ value: 'pending', context })` returns, at a third of its cost. Only the
   * context differs between elicitations. The state nodes, value, tags and empty history and
   * children are the same for all, and XState copies them rather than changing them in a transition.
   */
  pendingSnapshot(input: ElicitationInput): SnapshotFrom<ElicitationMachine> {
    return { ...this.pendingTemplate, context: { ...input, settlement: null } };
  }
}
