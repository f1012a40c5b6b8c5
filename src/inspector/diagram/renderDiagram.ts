/**
 * The statecharts of the runtime's machines in each diagram format. The machines are read
 * from their XState definitions in `src/machines` each time, never drawn by hand.
 */
import type { AnyStateMachine } from 'xstate';
import { elicitationMachine } from '../../machines/elicitationMachine.js';
import { renderDot } from './dot.js';
import { renderJson } from './json.js';
import { readMachineModel, type MachineModel } from './machineModel.js';
import { renderMermaid } from './mermaid.js';
import { renderScxml } from './scxml.js';

export const diagramFormats = ['mermaid', 'dot', 'scxml', 'json'] as const;
export type DiagramFormat = (typeof diagramFormats)[number];

const renderers: Record<DiagramFormat, (model: MachineModel) => string> = {
  mermaid: renderMermaid,
  dot: renderDot,
  scxml: renderScxml,
  json: renderJson,
};

/**
 * Renders `machine` (the elicitation machine by default) in `format`. The elicitation
 * machine is the runtime's only state machine. The supervisor is a class, because an
 * XState parent machine costs O(pending) per spawn, so it has no statechart.
 *
 * @example
 * process.stdout.write(renderDiagram('mermaid'))
 */
export function renderDiagram(format: DiagramFormat, machine: AnyStateMachine = elicitationMachine): string {
  return renderers[format](readMachineModel(machine));
}

export function isDiagramFormat(value: string): value is DiagramFormat {
  return (diagramFormats as readonly string[]).includes(value);
}
