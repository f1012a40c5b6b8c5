/**
 * Runs the elicitation machine on one event without an actor: XState's own
 * `machine.transition(snapshot, event, scope)` on a snapshot rebuilt from the elicitation's
 * input, with one inert actor scope made once and reused.
 *
 * Measured with xstate 5.33 on one accept, the stepper takes about 8 µs. XState's exported
 * `transition()` takes about 18 µs, because it makes a new actor and actor system for every
 * call, and a spawned actor takes about 27 µs. Guards, assignments and the final output are
 * XState's, so the machine makes every decision.
 *
 * The actions XState hands back are not run as an actor would run them. The deadline timer
 * that entering `pending` schedules (`xstate.raise` with a delay, `xstate.cancel`) belongs
 * to the supervisor, which sends `deadlineEvent` when it is due. An `xstate.emit` of
 * `refused` is returned to the caller.
 *
 * The deadline event is the one event whose outcome the stepper may reuse. When the
 * machine's deadline transition has no guard, runs no action with an effect of its own, and
 * gives the same outcome for two elicitations that differ in every input field, the stepper
 * keeps that outcome and returns it for every expiry without running XState again. A burst
 * of deadlines then costs about a third as much. If any of those conditions fails, every
 * expiry runs through the machine like any other event.
 */
import { isDeepStrictEqual } from 'node:util';
import { createActor, type AnyEventObject, type ExecutableActionObject, type SnapshotFrom } from 'xstate';
import { initialContext, type ElicitationCommand, type ElicitationInput, type ElicitationMachine, type RefusedEmitted, type Settlement } from '../machines/elicitationMachine.js';

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
  /** The machine's outcome of the deadline event when it is the same for every elicitation; see the file comment. */
  private readonly contextFreeDeadlineOutcome: Step | undefined;
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
    this.contextFreeDeadlineOutcome = delayed[0]!.guard === undefined ? this.sameDeadlineOutcomeForAll() : undefined;
  }

  /** Tells whether expiries reuse one outcome of the machine instead of running it each time. */
  get reusesDeadlineOutcome(): boolean {
    return this.contextFreeDeadlineOutcome !== undefined;
  }

  /**
   * Runs `event` on the pending elicitation described by `input` and returns the machine's
   * outcome. An error thrown by a guard or action propagates, and nothing is changed.
   */
  step(input: ElicitationInput, event: ElicitationCommand | AnyEventObject): Step {
    if (event === this.deadlineEvent && this.contextFreeDeadlineOutcome !== undefined) return this.contextFreeDeadlineOutcome;
    return this.runMachine(input, event);
  }

  /** Runs `event` through XState whatever the event, as `step` does for every event but a reused deadline. */
  runMachine(input: ElicitationInput, event: ElicitationCommand | AnyEventObject): Step {
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
   * Returns the deadline outcome when two elicitations that differ in every input field get
   * the same one from the machine. Returns undefined when they do not, when the transition
   * runs an action with an effect of its own, or when it throws.
   */
  private sameDeadlineOutcomeForAll(): Step | undefined {
    const inputs: ElicitationInput[] = [
      { id: 'sample-1', requester: 'requester-1', responder: 'responder-1', schema: { type: 'object' }, deadline: 1_000, armedAt: 1_000, tokenRequired: false },
      { id: 'sample-2', requester: 'requester-2', responder: 'responder-2', schema: { type: 'string' }, deadline: 2_000_000, armedAt: 2_000_001, tokenRequired: true },
    ];
    const outcomes: Step[] = [];
    for (const input of inputs) {
      this.actions = [];
      let next;
      try {
        next = this.machine.transition(this.pendingSnapshot(input), this.deadlineEvent as ElicitationCommand, this.scope);
      } catch {
        // A machine whose expiry throws keeps throwing at every deadline, where the supervisor reports it.
        this.actions = [];
        return undefined;
      }
      const actions = this.actions;
      this.actions = [];
      if (actions.some((action) => !timerActions.has(action.type))) return undefined;
      if (next.status !== 'done') return undefined;
      outcomes.push({ kind: 'settled', settlement: next.output });
    }
    return isDeepStrictEqual(outcomes[0], outcomes[1]) ? deepFreeze(outcomes[0]!) : undefined;
  }

  /**
   * Returns the `pending` snapshot of the elicitation described by `input`: what
   * `machine.resolveState({ value: 'pending', context })` returns, at a third of its cost. Only the
   * context differs between elicitations. The state nodes, value, tags and empty history and
   * children are the same for all, and XState copies them rather than changing them in a transition.
   */
  pendingSnapshot(input: ElicitationInput): SnapshotFrom<ElicitationMachine> {
    return { ...this.pendingTemplate, context: initialContext(input) };
  }
}

/** Freezes `value` and everything it contains, so that an outcome shared by every expiry cannot be changed by one. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const nested of Object.values(value)) deepFreeze(nested);
  }
  return value;
}
