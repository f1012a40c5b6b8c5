/**
 * The supervisor: owns the elicitation actors, routes commands to them by id, arms their
 * deadlines, releases them once final, and contains an actor that throws.
 *
 * Actors are passivated between commands, as Akka and Orleans do with idle entities: a
 * pending elicitation costs a deadline entry in the timer queue, and its machine runs from
 * the elicitation's input when a command arrives or its deadline is due. The machine makes
 * every decision; only its idle time is spent without it.
 *
 * How the machine runs depends on whether anyone watches. With an `inspect` observer, each
 * command and each deadline gets a real actor, spawned and stopped again if still pending,
 * so XState's inspection events are those of real actors. Without one, the machine runs
 * through a `MachineStepper`: the same machine, guards and actions, on XState's pure
 * `transition`, at about a third of an actor's cost.
 *
 * It is deliberately not an XState parent machine. In xstate 5.33 a parent that uses
 * `spawnChild` copies its whole `children` record on every spawn, and every stop walks
 * every scheduled event of the shared system, so each lifecycle would cost O(pending).
 * Here each actor is a root actor with a system of its own, and the registry is a Map:
 * spawn, lookup and release are O(1) whatever the number pending.
 */
import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import type { RuntimeClock } from '../runtime/clock.js';
import type { TimerEntry } from '../runtime/timerQueue.js';
import { MachineStepper } from './machineStepper.js';
import type {
  ElicitationCommand,
  ElicitationInput,
  ElicitationMachine,
  RefusedEmitted,
  Settlement,
} from '../machines/elicitationMachine.js';

export type ElicitationActor = Actor<ElicitationMachine>;

/** What became of a command delivered to an elicitation. */
export type Delivery =
  | { readonly kind: 'taken' }
  | { readonly kind: 'refused'; readonly refusal: RefusedEmitted }
  | { readonly kind: 'not-pending' }
  | { readonly kind: 'failed'; readonly error: unknown };

export interface SupervisorHooks {
  /** Builds the machine input of a pending elicitation, with `armedAt` set to `now`. */
  readonly inputOf: (id: string, now: number) => ElicitationInput | undefined;
  /** Called synchronously when the machine reaches a final state, after the supervisor has released the elicitation. */
  readonly onSettled: (id: string, settlement: Settlement) => void;
  /**
   * Called when the machine throws. The elicitation stays pending; if it threw at its
   * deadline, the deadline is tried again after `failureRetryMs`.
   */
  readonly onFailure: (id: string, error: unknown) => void;
}

export interface SupervisorOptions {
  readonly machine: ElicitationMachine;
  readonly clock: RuntimeClock;
  readonly hooks: SupervisorHooks;
  /**
   * Passed to every actor, as XState's `createActor(machine, { inspect })` takes it. When
   * given, every command and deadline runs on a spawned actor; when omitted, on the stepper.
   */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** How long after an actor throws at its deadline the deadline is tried again; 1 s by default. */
  readonly failureRetryMs?: number;
}

interface LiveActor {
  readonly actor: ElicitationActor;
  /** Set by the actor's `refused` emission during the current delivery. */
  refusal: RefusedEmitted | undefined;
  failure: unknown;
}

export class Supervisor {
  /** The deadline wake-up of every pending elicitation. */
  private readonly deadlines = new Map<string, TimerEntry>();
  /** Actors spawned now: during a delivery, or from a due deadline until they expire. */
  private readonly live = new Map<string, LiveActor>();
  /** Runs the machine without actors; undefined when an `inspect` observer wants real ones. */
  private readonly stepper: MachineStepper | undefined;

  constructor(private readonly options: SupervisorOptions) {
    this.stepper = options.inspect === undefined ? new MachineStepper(options.machine) : undefined;
  }

  /** How many elicitations are pending under this supervisor. */
  get size(): number {
    return this.deadlines.size;
  }

  /** How many actors are spawned at this moment; 0 between commands. */
  get liveActors(): number {
    return this.live.size;
  }

  has(id: string): boolean {
    return this.deadlines.has(id);
  }

  /**
   * Takes a pending elicitation under supervision. At its deadline the machine runs again
   * and its delayed transition expires it: on a spawned actor, whose `after` is then due at
   * once, or on the stepper, which sends the delayed event.
   */
  register(id: string, deadline: number): void {
    this.discard(id);
    this.arm(id, Math.max(0, deadline - this.options.clock.now()));
  }

  /**
   * Runs `command` on the machine of `id`, on the stepper or on an actor spawned if it is
   * passivated, and returns what the machine did. The event is processed synchronously, so
   * its refusal or its final state is known when this returns.
   */
  deliver(id: string, command: ElicitationCommand): Delivery {
    if (!this.deadlines.has(id)) return { kind: 'not-pending' };
    if (this.stepper !== undefined) return this.step(this.stepper, id, command);

    const wasLive = this.live.get(id);
    const child = wasLive ?? this.spawn(id);
    if (child === undefined) return { kind: 'not-pending' };

    child.refusal = undefined;
    child.failure = undefined;
    child.actor.send(command);

    if (wasLive === undefined) this.passivate(id, child);
    if (child.failure !== undefined) return { kind: 'failed', error: child.failure };
    if (child.refusal !== undefined) return { kind: 'refused', refusal: child.refusal };
    return { kind: 'taken' };
  }

  /** Drops `id` without settling it, as if it had never been registered. */
  discard(id: string): void {
    const wake = this.deadlines.get(id);
    if (wake !== undefined) this.options.clock.clearTimeout(wake);
    this.deadlines.delete(id);
    const child = this.live.get(id);
    this.live.delete(id);
    child?.actor.stop();
  }

  /** Stops every actor and deadline without settling anything. */
  stopAll(): void {
    for (const id of [...this.deadlines.keys()]) this.discard(id);
  }

  private arm(id: string, delayMs: number): void {
    this.deadlines.set(id, this.options.clock.setKeyedTimeout(this.wakeAtDeadline, id, delayMs));
  }

  /** The one callback of every deadline, called with the elicitation's id. */
  private readonly wakeAtDeadline = (id: string): void => {
    // The wake-up fired, so there is no timer left to clear when the machine settles.
    if (!this.deadlines.has(id)) return;
    if (this.stepper !== undefined) this.step(this.stepper, id, this.stepper.deadlineEvent);
    else this.spawn(id);
  };

  /** Runs one command or the deadline on the machine through the stepper. */
  private step(stepper: MachineStepper, id: string, event: Parameters<MachineStepper['step']>[1]): Delivery {
    const input = this.options.hooks.inputOf(id, this.options.clock.now());
    if (input === undefined) {
      this.discard(id);
      return { kind: 'not-pending' };
    }
    if (event === stepper.deadlineEvent && input.armedAt < input.deadline) {
      // A host clock fired the wake-up early. An actor would wait out the rest of its `after`
      // delay from `armedAt`, so the stepper waits too instead of expiring before the deadline.
      this.arm(id, input.deadline - input.armedAt);
      return { kind: 'taken' };
    }

    let step;
    try {
      step = stepper.step(input, event);
    } catch (error) {
      return { kind: 'failed', error: this.reportFailure(id, error) };
    }
    if (step.kind === 'refused') return step;
    if (step.kind === 'unchanged') return { kind: 'taken' };

    this.release(id);
    try {
      this.options.hooks.onSettled(id, step.settlement);
    } catch (error) {
      this.options.hooks.onFailure(id, error);
      return { kind: 'failed', error };
    }
    return { kind: 'taken' };
  }

  private spawn(id: string): LiveActor | undefined {
    const input = this.options.hooks.inputOf(id, this.options.clock.now());
    if (input === undefined) {
      // The host no longer has it pending, so nothing is left to supervise.
      this.discard(id);
      return undefined;
    }

    const actor = createActor(this.options.machine, {
      input,
      clock: this.options.clock,
      ...(this.options.inspect ? { inspect: this.options.inspect } : {}),
    });
    const child: LiveActor = { actor, refusal: undefined, failure: undefined };
    this.live.set(id, child);

    actor.on('refused', (refusal) => {
      child.refusal = refusal;
    });
    actor.subscribe({
      next: (snapshot) => {
        if (snapshot.status === 'done') this.settle(id, child, snapshot.output);
      },
      error: (error) => this.fail(id, child, error),
    });
    actor.start();
    return child;
  }

  /** Stops an actor that is still pending after a command; its deadline stays armed. */
  private passivate(id: string, child: LiveActor): void {
    if (this.live.get(id) !== child) return;
    this.live.delete(id);
    child.actor.stop();
  }

  /** Forgets a settled elicitation: its live actor, if any, and its deadline. */
  private release(id: string): void {
    this.live.delete(id);
    const wake = this.deadlines.get(id);
    if (wake !== undefined) this.options.clock.clearTimeout(wake);
    this.deadlines.delete(id);
  }

  private settle(id: string, child: LiveActor, settlement: Settlement): void {
    // The actor stops itself on reaching a final state; release its slot and deadline first.
    this.release(id);

    // XState catches what an observer throws and rethrows it later on a timer, which would
    // crash the host, so a failing hook is reported as this actor's failure instead.
    try {
      this.options.hooks.onSettled(id, settlement);
    } catch (error) {
      child.failure = error;
      this.options.hooks.onFailure(id, error);
    }
  }

  private fail(id: string, child: LiveActor, error: unknown): void {
    if (this.live.get(id) === child) this.live.delete(id);
    child.failure = this.reportFailure(id, error);
  }

  /**
   * Reports a failure to the host and re-arms a deadline the failure spent. The machine is
   * pure and the elicitation was pending before the event that made it throw, so it stays
   * pending, and its next command runs the machine afresh. If it threw at its deadline, that
   * wake-up is spent, so the deadline is tried again after `failureRetryMs`. The fixed delay
   * keeps a deterministic failure from spinning inside one clock advance.
   */
  private reportFailure(id: string, error: unknown): unknown {
    const failure = error ?? new Error(`elicitation ${id} failed without an error`);
    const wake = this.deadlines.get(id);
    if (wake !== undefined && wake.index === -1) this.arm(id, this.options.failureRetryMs ?? 1_000);
    this.options.hooks.onFailure(id, failure);
    return failure;
  }
}
