/**
 * Reads an XState v5 machine definition into a plain model of its states, transitions,
 * guards, delays and actions, which every diagram format renders. Nothing here is written
 * by hand per machine, so a state or guard added to a machine appears in every diagram.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

export interface MachineModel {
  readonly id: string;
  /** The id of the initial top-level state. */
  readonly initial: string | null;
  readonly states: readonly StateModel[];
  /** Every guard name: those the machine implements, then any other that a transition names. */
  readonly guards: readonly string[];
  /** Every named delay, in the same order of sources as `guards`. */
  readonly delays: readonly string[];
  /** Every named action, in the same order of sources as `guards`. */
  readonly actions: readonly string[];
}

export type StateType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface StateModel {
  /** The state's path below the root, joined with dots: `pending`, or `parent.child` when nested. */
  readonly id: string;
  readonly key: string;
  readonly type: StateType;
  /** The id of the initial child of a compound state. */
  readonly initial: string | null;
  readonly children: readonly StateModel[];
  readonly entry: readonly ActionModel[];
  readonly exit: readonly ActionModel[];
  readonly transitions: readonly TransitionModel[];
}

export interface TransitionModel {
  readonly source: string;
  /** The event type; `xstate.after.*` for a delayed transition, and '' for an eventless (`always`) one. */
  readonly event: string;
  /** Target state ids; empty for a targetless transition, which runs its actions and stays. */
  readonly targets: readonly string[];
  readonly guard: GuardModel | null;
  /** The named delay, or the delay in milliseconds, of a delayed (`after`) transition. */
  readonly delay: string | number | null;
  readonly actions: readonly ActionModel[];
  /**
   * The 1-based place of this transition among the candidates for the same event in the
   * same state. XState tries them in this order and takes the first whose guard holds.
   */
  readonly order: number;
  readonly candidates: number;
}

export type GuardModel =
  | { readonly kind: 'named'; readonly name: string; readonly params: unknown }
  | { readonly kind: 'not' | 'and' | 'or'; readonly guards: readonly GuardModel[] }
  | { readonly kind: 'stateIn'; readonly state: string }
  | { readonly kind: 'inline'; readonly name: string };

export interface ActionModel {
  readonly type: string;
  readonly params: unknown;
}

/** Reads `machine` into a model; the machine is only read. */
export function readMachineModel(machine: AnyStateMachine): MachineModel {
  const root = machine.root;
  const states = Object.values(root.states).map(readState);
  const initialTarget = root.initial?.target[0];
  const referenced = collectReferences(states);
  const implementations = machine.implementations;

  return {
    id: root.id,
    initial: initialTarget === undefined ? null : stateId(initialTarget),
    states,
    guards: union(Object.keys(implementations.guards), referenced.guards),
    delays: union(Object.keys(implementations.delays), referenced.delays),
    actions: union(Object.keys(implementations.actions), referenced.actions),
  };
}

/** Lists every state of `model`, parents before their children. */
export function allStates(model: { readonly states: readonly StateModel[] }): StateModel[] {
  return model.states.flatMap((state) => [state, ...allStates({ states: state.children })]);
}

/** Writes a guard as an expression: `not isSender`, `a and (b or c)`, `in(state)`. */
export function guardExpression(guard: GuardModel): string {
  switch (guard.kind) {
    case 'named':
    case 'inline':
      return guard.name;
    case 'stateIn':
      return `in(${guard.state})`;
    case 'not':
      return `not ${wrapped(guard.guards[0]!)}`;
    case 'and':
    case 'or':
      return guard.guards.map(wrapped).join(` ${guard.kind} `);
  }
}

/** Lists the guard names that `guard` refers to, leaves only, in order. */
export function guardNames(guard: GuardModel | null): string[] {
  if (guard === null) return [];
  switch (guard.kind) {
    case 'named':
      return [guard.name];
    case 'not':
    case 'and':
    case 'or':
      return guard.guards.flatMap(guardNames);
    default:
      return [];
  }
}

function wrapped(guard: GuardModel): string {
  return guard.kind === 'and' || guard.kind === 'or' ? `(${guardExpression(guard)})` : guardExpression(guard);
}

function readState(node: AnyStateNode): StateModel {
  const initialTarget = node.type === 'compound' ? node.initial?.target[0] : undefined;
  const transitions = readTransitions(node);
  const timers = new Set(transitions.filter((transition) => transition.delay !== null).map((transition) => transition.event));
  return {
    id: stateId(node),
    key: node.key,
    type: node.type,
    initial: initialTarget === undefined ? null : stateId(initialTarget),
    children: Object.values(node.states).map(readState),
    entry: node.entry.filter((action) => !isDelayTimer(action, timers)).map(readAction),
    exit: node.exit.filter((action) => !isDelayTimer(action, timers)).map(readAction),
    transitions,
  };
}

/**
 * XState implements `after` by adding a delayed `raise` to the state's entry and its
 * `cancel` to the exit, both keyed by the after-event's type. They are the delayed
 * transition itself, which the model already holds, so they are not listed as actions.
 */
function isDelayTimer(action: unknown, timers: ReadonlySet<string>): boolean {
  if (typeof action !== 'function') return false;
  const builtIn = action as { type?: unknown; id?: unknown; sendId?: unknown };
  if (builtIn.type === 'xstate.raise') return typeof builtIn.id === 'string' && timers.has(builtIn.id);
  if (builtIn.type === 'xstate.cancel') return typeof builtIn.sendId === 'string' && timers.has(builtIn.sendId);
  return false;
}

function readTransitions(node: AnyStateNode): TransitionModel[] {
  const source = stateId(node);
  const byEvent: Array<[string, readonly TransitionDefinitionLike[]]> = [...node.transitions.entries()];
  if (node.always !== undefined && node.always.length > 0) byEvent.push(['', node.always]);

  return byEvent.flatMap(([event, candidates]) =>
    candidates.map((transition, index) => ({
      source,
      event,
      targets: (transition.target ?? []).map(stateId),
      guard: transition.guard === undefined ? null : readGuard(transition.guard),
      delay: (transition as { delay?: string | number }).delay ?? null,
      actions: transition.actions.map(readAction),
      order: index + 1,
      candidates: candidates.length,
    })),
  );
}

type TransitionDefinitionLike = {
  readonly target?: readonly AnyStateNode[] | undefined;
  readonly guard?: unknown;
  readonly actions: readonly unknown[];
};

/**
 * XState v5 keeps a guard as a name, a `{ type, params }` object, or a function. Its
 * combinators `not`, `and`, `or` and `stateIn` are functions of those names that carry
 * their operands (`guards`, `stateValue`); any other function is an inline guard.
 */
function readGuard(guard: unknown): GuardModel {
  if (typeof guard === 'string') return { kind: 'named', name: guard, params: null };

  if (typeof guard === 'function') {
    const combinator = guard as { name: string; guards?: unknown[]; stateValue?: unknown };
    if ((combinator.name === 'not' || combinator.name === 'and' || combinator.name === 'or') && Array.isArray(combinator.guards)) {
      return { kind: combinator.name, guards: combinator.guards.map(readGuard) };
    }
    if (combinator.name === 'stateIn' && combinator.stateValue !== undefined) {
      return { kind: 'stateIn', state: typeof combinator.stateValue === 'string' ? combinator.stateValue : JSON.stringify(combinator.stateValue) };
    }
    return { kind: 'inline', name: combinator.name === '' ? 'inline guard' : combinator.name };
  }

  const named = guard as { type?: unknown; params?: unknown };
  return { kind: 'named', name: String(named.type), params: named.params ?? null };
}

function readAction(action: unknown): ActionModel {
  if (typeof action === 'string') return { type: action, params: null };
  if (typeof action === 'function') {
    // Built-in actions such as `assign(...)` are functions that carry an `xstate.*` type.
    const builtIn = action as { type?: unknown; name: string };
    if (typeof builtIn.type === 'string') return { type: builtIn.type, params: null };
    return { type: builtIn.name === '' ? 'inline action' : builtIn.name, params: null };
  }
  const parameterized = action as { type?: unknown; params?: unknown };
  return { type: String(parameterized.type), params: parameterized.params ?? null };
}

function stateId(node: AnyStateNode): string {
  return node.path.join('.');
}

function collectReferences(states: readonly StateModel[]): { guards: string[]; delays: string[]; actions: string[] } {
  const guards: string[] = [];
  const delays: string[] = [];
  const actions: string[] = [];
  for (const state of allStates({ states })) {
    for (const action of [...state.entry, ...state.exit]) actions.push(action.type);
    for (const transition of state.transitions) {
      guards.push(...guardNames(transition.guard));
      if (typeof transition.delay === 'string') delays.push(transition.delay);
      actions.push(...transition.actions.map((action) => action.type));
    }
  }
  // Built-in actions (`xstate.assign`, `xstate.emit`, ...) are not names a machine defines.
  return { guards, delays, actions: actions.filter((type) => !type.startsWith('xstate.')) };
}

function union(first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second])];
}
