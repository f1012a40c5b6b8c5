/**
 * Renders a machine model as a Graphviz DOT digraph: a node a state (final states with a
 * double border), an edge a transition labelled with its event, guard and actions, and a
 * cluster for each compound state.
 */
import { allStates, type MachineModel, type StateModel } from './machineModel.js';
import { transitionLabel } from './transitionLabel.js';

/** Renders `model` as DOT text, ending with a newline. */
export function renderDot(model: MachineModel): string {
  const lines = [
    `// The ${model.id} machine, generated from its XState definition by elicit diagram.`,
    '// Numbered transitions of one event are tried in order, and the first whose guard holds is taken.',
    `digraph ${quote(model.id)} {`,
    '  rankdir=LR;',
    '  node [shape=box, style=rounded, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  if (model.initial !== null) {
    lines.push(`  ${quote('[*]')} [shape=point, width=0.15, label=""];`);
    lines.push(`  ${quote('[*]')} -> ${quote(entryNode(model, model.initial))};`);
  }
  lines.push(...renderStates(model, model.states, '  '));
  for (const state of allStates(model)) lines.push(...renderTransitions(model, state));
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function renderStates(model: MachineModel, states: readonly StateModel[], indent: string): string[] {
  const lines: string[] = [];
  for (const state of states) {
    if (state.children.length === 0) {
      const shape = state.type === 'final' ? ', peripheries=2' : '';
      lines.push(`${indent}${quote(state.id)} [label=${quote(state.key)}${shape}];`);
      continue;
    }

    // DOT draws no edge to a cluster, so a compound state's edges meet its start point.
    lines.push(`${indent}subgraph ${quote(`cluster_${state.id}`)} {`);
    lines.push(`${indent}  label=${quote(state.key)};`);
    lines.push(`${indent}  ${quote(`${state.id}.[*]`)} [shape=point, width=0.1, label=""];`);
    if (state.initial !== null) lines.push(`${indent}  ${quote(`${state.id}.[*]`)} -> ${quote(entryNode(model, state.initial))};`);
    lines.push(...renderStates(model, state.children, `${indent}  `));
    lines.push(`${indent}}`);
  }
  return lines;
}

function renderTransitions(model: MachineModel, state: StateModel): string[] {
  return state.transitions.flatMap((transition) => {
    const targets = transition.targets.length === 0 ? [transition.source] : transition.targets;
    const label = quote(transitionLabel(transition));
    return targets.map((target) => `  ${quote(entryNode(model, state.id))} -> ${quote(entryNode(model, target))} [label=${label}];`);
  });
}

/** Returns the node an edge to `stateId` meets: the state itself, or the start point of a compound state. */
function entryNode(model: MachineModel, stateId: string): string {
  const state = allStates(model).find((candidate) => candidate.id === stateId);
  return state !== undefined && state.children.length > 0 ? `${stateId}.[*]` : stateId;
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
