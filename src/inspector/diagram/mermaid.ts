/**
 * Renders a machine model as a Mermaid `stateDiagram-v2`: guards in brackets, delays as
 * `after NAME`, targetless transitions inside their state, final states leading to `[*]`,
 * nested states as composite states.
 */
import { allStates, type MachineModel, type StateModel } from './machineModel.js';
import { transitionLabel } from './transitionLabel.js';

/** Renders `model` as Mermaid text, ending with a newline. */
export function renderMermaid(model: MachineModel): string {
  const lines = [
    'stateDiagram-v2',
    `  %% The ${model.id} machine, generated from its XState definition by elicit diagram.`,
    '  %% Numbered transitions of one event are tried in order, and the first whose guard holds is taken.',
    '  direction LR',
  ];
  if (model.initial !== null) lines.push(`  [*] --> ${mermaidStateId(model.initial)}`);
  lines.push(...renderStates(model.states, '  '));
  for (const state of allStates(model)) lines.push(...renderTransitions(state));
  return `${lines.join('\n')}\n`;
}

/**
 * Converts a state id to its id in the Mermaid text, which allows only letters, digits and
 * `_`. The inspector page uses it to find each state's node in the rendered chart.
 */
export function mermaidStateId(stateId: string): string {
  return stateId.replace(/[^A-Za-z0-9_]/g, '_');
}

function renderStates(states: readonly StateModel[], indent: string): string[] {
  const lines: string[] = [];
  for (const state of states) {
    const id = mermaidStateId(state.id);
    // Mermaid titles a state with description lines by its first description, so a state
    // with internal transitions (or an id that differs from its key) gets its key first.
    const hasInternal = state.transitions.some((transition) => transition.targets.length === 0);
    const titled = id !== state.key || hasInternal;
    if (titled) lines.push(`${indent}state "${mermaidText(state.key)}" as ${id}`);
    if (state.children.length > 0) {
      lines.push(`${indent}state ${id} {`);
      if (state.initial !== null) lines.push(`${indent}  [*] --> ${mermaidStateId(state.initial)}`);
      lines.push(...renderStates(state.children, `${indent}  `));
      lines.push(`${indent}}`);
    } else if (!titled) {
      lines.push(`${indent}${id}`);
    }
    if (state.type === 'final') lines.push(`${indent}${id} --> [*]`);
  }
  return lines;
}

/**
 * Renders the transitions of `state`. A targetless transition runs its actions without
 * leaving the state, which UML writes inside the state as an internal transition, so it
 * becomes a line of the state's description. The others become one edge for each pair of
 * states, with a label line for each transition, because Mermaid draws all edges of a pair
 * on one path.
 */
function renderTransitions(state: StateModel): string[] {
  const source = mermaidStateId(state.id);
  const internal: string[] = [];
  const labelsByTarget = new Map<string, string[]>();
  for (const transition of state.transitions) {
    const label = mermaidText(transitionLabel(transition));
    if (transition.targets.length === 0) internal.push(`  ${source} : ${label}`);
    for (const target of transition.targets) labelsByTarget.set(target, [...(labelsByTarget.get(target) ?? []), label]);
  }

  const edges = [...labelsByTarget].map(([target, labels]) => `  ${source} --> ${mermaidStateId(target)} : ${labels.join('<br/>')}`);
  return [...internal, ...edges];
}

/** Mermaid ends a statement at `;` and reads `#...;` as an entity, so both are replaced. */
function mermaidText(text: string): string {
  return text.replace(/[;\n\r]/g, ',').replace(/#/g, 'no. ').replace(/[<>"]/g, "'");
}
