/**
 * Renders a machine model as JSON: the model itself, with each guard also written as an
 * expression, for tools that draw or check the machine on their own.
 */
import { guardExpression, type MachineModel, type StateModel } from './machineModel.js';

/** Renders `model` as indented JSON, ending with a newline. */
export function renderJson(model: MachineModel): string {
  const document = { machine: { ...model, states: model.states.map(withGuardExpressions) } };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function withGuardExpressions(state: StateModel): object {
  return {
    ...state,
    children: state.children.map(withGuardExpressions),
    transitions: state.transitions.map((transition) => ({
      ...transition,
      guardExpression: transition.guard === null ? null : guardExpression(transition.guard),
    })),
  };
}
