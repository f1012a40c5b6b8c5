/**
 * The one-line label of a transition that the Mermaid and DOT diagrams print:
 * `EVENT (order) [guard] / action, action`, with `after DELAY` for a delayed transition.
 */
import { guardExpression, type ActionModel, type TransitionModel } from './machineModel.js';

/** Labels `transition`: `ACCEPT (1) [not isSender] / refuse(UNAUTHORIZED)`. */
export function transitionLabel(transition: TransitionModel): string {
  let trigger = eventLabel(transition);
  // Candidates of one event are tried in order, so the order is part of the rule.
  if (transition.candidates > 1) trigger += ` (${transition.order})`;

  const parts = [trigger];
  if (transition.guard !== null) parts.push(`[${guardExpression(transition.guard)}]`);
  if (transition.actions.length > 0) parts.push(`/ ${transition.actions.map(actionLabel).join(', ')}`);
  return parts.join(' ');
}

/** Labels what triggers `transition`: `after untilDeadline`, `after 500 ms`, `always`, or the event type. */
export function eventLabel(transition: TransitionModel): string {
  if (transition.delay !== null) return typeof transition.delay === 'number' ? `after ${transition.delay} ms` : `after ${transition.delay}`;
  return transition.event === '' ? 'always' : transition.event;
}

/**
 * Labels an action by its type and the parameters that are codes or names, such as
 * `refuse(UNAUTHORIZED)`. Parameters written as prose are left to the JSON and SCXML
 * formats, which carry every parameter.
 */
export function actionLabel(action: ActionModel): string {
  if (action.params === null || typeof action.params !== 'object') return action.type;

  const codes = Object.values(action.params).filter((value): value is string | number | boolean =>
    (typeof value === 'string' && /^[\w.-]{1,40}$/.test(value)) || typeof value === 'number' || typeof value === 'boolean',
  );
  return codes.length === 0 ? action.type : `${action.type}(${codes.join(', ')})`;
}
