/**
 * Renders a machine model as W3C SCXML with the ECMAScript data model. A guard becomes a
 * `cond` expression that calls the guard by name, and an action a `<script>` call with its
 * parameters. A delayed transition becomes what SCXML writes for XState's `after`: a
 * `<send>` with a delay on entry, cancelled on exit, and a transition on the sent event.
 */
import { type ActionModel, type GuardModel, type MachineModel, type StateModel, type TransitionModel } from './machineModel.js';

/** Renders `model` as an SCXML document, ending with a newline. */
export function renderScxml(model: MachineModel): string {
  const initial = model.initial === null ? '' : ` initial="${attribute(model.initial)}"`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!-- The ${comment(model.id)} machine, generated from its XState definition by elicit diagram. -->`,
    `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="${attribute(model.id)}"${initial}>`,
    ...model.states.flatMap((state) => renderState(state, '  ')),
    '</scxml>',
  ];
  return `${lines.join('\n')}\n`;
}

function renderState(state: StateModel, indent: string): string[] {
  const element = elementOf(state);
  const initial = state.initial === null ? '' : ` initial="${attribute(state.initial)}"`;
  const delayed = state.transitions.filter((transition) => transition.delay !== null);
  const body = [
    ...renderOnEntry(state, delayed, `${indent}  `),
    ...renderOnExit(state, delayed, `${indent}  `),
    ...state.transitions.flatMap((transition) => renderTransition(transition, `${indent}  `)),
    ...state.children.flatMap((child) => renderState(child, `${indent}  `)),
  ];
  const opening = `${indent}<${element} id="${attribute(state.id)}"${initial}`;
  return body.length === 0 ? [`${opening}/>`] : [`${opening}>`, ...body, `${indent}</${element}>`];
}

function elementOf(state: StateModel): string {
  switch (state.type) {
    case 'final':
      return 'final';
    case 'parallel':
      return 'parallel';
    case 'history':
      return 'history';
    default:
      return 'state';
  }
}

function renderOnEntry(state: StateModel, delayed: readonly TransitionModel[], indent: string): string[] {
  const content = [
    ...state.entry.map((action) => `${indent}  ${renderAction(action)}`),
    ...delayed.map((transition) => `${indent}  <send id="${attribute(sendId(transition))}" event="${attribute(transition.event)}" ${delayAttribute(transition.delay!)}/>`),
  ];
  return content.length === 0 ? [] : [`${indent}<onentry>`, ...content, `${indent}</onentry>`];
}

function renderOnExit(state: StateModel, delayed: readonly TransitionModel[], indent: string): string[] {
  const content = [
    ...state.exit.map((action) => `${indent}  ${renderAction(action)}`),
    ...delayed.map((transition) => `${indent}  <cancel sendid="${attribute(sendId(transition))}"/>`),
  ];
  return content.length === 0 ? [] : [`${indent}<onexit>`, ...content, `${indent}</onexit>`];
}

function renderTransition(transition: TransitionModel, indent: string): string[] {
  const event = transition.event === '' ? '' : ` event="${attribute(transition.event)}"`;
  const condition = transition.guard === null ? '' : ` cond="${attribute(conditionOf(transition.guard))}"`;
  const target = transition.targets.length === 0 ? '' : ` target="${attribute(transition.targets.join(' '))}"`;
  const opening = `${indent}<transition${event}${condition}${target}`;
  if (transition.actions.length === 0) return [`${opening}/>`];
  return [`${opening}>`, ...transition.actions.map((action) => `${indent}  ${renderAction(action)}`), `${indent}</transition>`];
}

/** Writes `guard` as an ECMAScript condition that calls each named guard with the event. */
function conditionOf(guard: GuardModel): string {
  switch (guard.kind) {
    case 'named':
      return guard.params === null ? `${guard.name}(_event)` : `${guard.name}(_event, ${JSON.stringify(guard.params)})`;
    case 'inline':
      return `${guard.name.replace(/\W/g, '_')}(_event)`;
    case 'stateIn':
      return `In(${JSON.stringify(guard.state)})`;
    case 'not':
      return `!(${conditionOf(guard.guards[0]!)})`;
    case 'and':
      return guard.guards.map((operand) => `(${conditionOf(operand)})`).join(' && ');
    case 'or':
      return guard.guards.map((operand) => `(${conditionOf(operand)})`).join(' || ');
  }
}

function renderAction(action: ActionModel): string {
  const argument = action.params === null ? '' : JSON.stringify(action.params);
  return `<script>${text(`${action.type}(${argument})`)}</script>`;
}

/** Writes the delay attribute: a named delay is computed at run time, so it becomes a `delayexpr` that yields a CSS time. */
function delayAttribute(delay: string | number): string {
  return typeof delay === 'number' ? `delay="${delay}ms"` : `delayexpr="${attribute(`${delay}() + 'ms'`)}"`;
}

function sendId(transition: TransitionModel): string {
  return `${transition.source}.after.${String(transition.delay)}`;
}

function attribute(value: string): string {
  return text(value).replace(/"/g, '&quot;');
}

function text(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function comment(value: string): string {
  return value.replace(/--/g, '- -');
}

