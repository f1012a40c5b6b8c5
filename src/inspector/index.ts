/**
 * `elicitation-runtime/inspector`: statecharts generated from the runtime's machines, and a
 * live inspector page for a running runtime or a store, served on 127.0.0.1 only.
 */
export { startInspector, type InspectableRuntime, type Inspector, type InspectorOptions } from './startInspector.js';
export { startInspectorServer, inspectorHost, type InspectorServer, type InspectorServerOptions } from './inspectorServer.js';
export {
  InspectorAggregate,
  type AgentRefusals,
  type ElicitationHistory,
  type ElicitationSummary,
  type InspectorAggregateOptions,
  type InspectorSummary,
  type SearchResult,
} from './inspectorAggregate.js';
export { StorePoller, type StorePollerOptions } from './storePoller.js';
export type { HistoryEntry, TimelineEntry } from './timelineEntry.js';
export type { SummaryUpdate } from './summaryStream.js';
export { renderDiagram, diagramFormats, isDiagramFormat, type DiagramFormat } from './diagram/renderDiagram.js';
export {
  readMachineModel,
  guardExpression,
  guardNames,
  type ActionModel,
  type GuardModel,
  type MachineModel,
  type StateModel,
  type TransitionModel,
} from './diagram/machineModel.js';
