/**
 * The supervisor: owns every live elicitation actor, spawns it, routes commands to it by
 * id, releases it once final and restarts it when it throws.
 *
 * It is deliberately not an XState parent machine. In xstate 5.33 a parent that uses
 * `spawnChild` copies its whole `children` record on every spawn, and every stop walks
 * every scheduled event of the shared system, so each lifecycle would cost O(pending).
 * Here each elicitation is a root actor with a system of its own, registered in a Map:
 * spawn, lookup and release are O(1) whatever the number pending.
 */
import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import type { RuntimeClock } from '../runtime/clock.js';
import type {
  ElicitationCommand,
  ElicitationInput,
  ElicitationMachine,
  RefusedEmitted,
  Settlement,
} from '../machines/elicitationMachine.js';

export type ElicitationActor = Actor<ElicitationMachine>;

/** What became of a command delivered to a live actor. */
export type Delivery =
  | { readonly kind: 'taken' }
  | { readonly kind: 'refused'; readonly refusal: RefusedEmitted }
  | { readonly kind: 'not-live' }
  | { readonly kind: 'failed'; readonly error: unknown };

export interface SupervisorHooks {
  /** Called synchronously when an actor reaches a final state, before it is released. */
  readonly onSettled: (id: string, settlement: Settlement) => void;
  /** Called when an actor throws; the supervisor has already restarted it as pending. */
  readonly onFailure: (id: string, error: unknown) => void;
}

export interface SupervisorOptions {
  readonly machine: ElicitationMachine;
  readonly clock: RuntimeClock;
  readonly hooks: SupervisorHooks;
  /** Passed to every actor, as XState's `createActor(machine, { inspect })` takes it. */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

interface Child {
  readonly actor: ElicitationActor;
  readonly input: ElicitationInput;
  /** Set by the actor's `refused` emission during the current delivery. */
  refusal: RefusedEmitted | undefined;
  failure: unknown;
}

export class Supervisor {
  private readonly children = new Map<string, Child>();

  constructor(private readonly options: SupervisorOptions) {}

  /** How many elicitation actors are live (pending). */
  get size(): number {
    return this.children.size;
  }

  has(id: string): boolean {
    return this.children.has(id);
  }

  /** Spawns and starts the actor of a pending elicitation. */
  spawn(input: ElicitationInput): void {
    const actor = createActor(this.options.machine, {
      input,
      clock: this.options.clock,
      ...(this.options.inspect ? { inspect: this.options.inspect } : {}),
    });
    const child: Child = { actor, input, refusal: undefined, failure: undefined };
    this.children.set(input.id, child);

    actor.on('refused', (refusal) => {
      child.refusal = refusal;
    });
    actor.subscribe({
      next: (snapshot) => {
        if (snapshot.status === 'done') this.settle(input.id, child, snapshot.output);
      },
      error: (error) => this.fail(input.id, child, error),
    });
    actor.start();
  }

  /**
   * Sends `command` to the actor of `id` and tells what it did. The actor processes the
   * event synchronously, so its refusal or its final state is known when this returns.
   */
  deliver(id: string, command: ElicitationCommand): Delivery {
    const child = this.children.get(id);
    if (child === undefined) return { kind: 'not-live' };

    child.refusal = undefined;
    child.failure = undefined;
    child.actor.send(command);

    if (child.failure !== undefined) return { kind: 'failed', error: child.failure };
    if (child.refusal !== undefined) return { kind: 'refused', refusal: child.refusal };
    return { kind: 'taken' };
  }

  /** Stops the actor of `id` without settling it, as if it had never been spawned. */
  discard(id: string): void {
    const child = this.children.get(id);
    if (child === undefined) return;
    this.children.delete(id);
    child.actor.stop();
  }

  /** Stops every actor without settling it; their deadlines stop with them. */
  stopAll(): void {
    for (const child of this.children.values()) child.actor.stop();
    this.children.clear();
  }

  private settle(id: string, child: Child, settlement: Settlement): void {
    // XState swallows what an observer throws and rethrows it later on a timer, which
    // would crash the host; a failing hook is reported as this actor's failure instead.
    try {
      this.options.hooks.onSettled(id, settlement);
    } catch (error) {
      child.failure = error;
      this.options.hooks.onFailure(id, error);
    }
    // The actor stops itself on reaching a final state, cancelling its deadline timer.
    this.children.delete(id);
  }

  private fail(id: string, child: Child, error: unknown): void {
    child.failure = error ?? new Error(`elicitation actor ${id} failed without an error`);
    this.children.delete(id);

    // The actor was pending before the event that made it throw, and the machine is pure,
    // so a fresh actor from the same input is the state before that event.
    this.spawn({ ...child.input, armedAt: this.options.clock.now() });
    this.options.hooks.onFailure(id, child.failure);
  }
}
