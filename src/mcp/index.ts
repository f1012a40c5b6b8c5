/**
 * elicitation-runtime/mcp: the runtime inside MCP. `elicitFromClient` lets an MCP server ask
 * its connected client through the official SDK; `startBridgeServer` runs the agent bridge,
 * an MCP server over Streamable HTTP where agents ask and answer each other; `AgentTokens`
 * signs and checks the bearer tokens that name those agents.
 */
export { elicitFromClient, type ClientElicitationRequest } from './elicitFromClient.js';
export { startBridgeServer, type BridgeServer, type BridgeServerOptions } from './bridgeServer.js';
export { AgentTokens, maxAgentTokenTtlMs, type AgentTokenCheck, type AgentTokenKey, type VerifiedAgent } from './agentTokens.js';
export { bridgeTools, bridgeToolNames, type BridgeToolName } from './bridgeToolSchemas.js';
export { elicitationActions, toOutcome, type ElicitationAction, type ElicitationOutcome } from './mcpActions.js';
export { elicitationMetaKey, supportsFormElicitation } from './formElicitation.js';
export { parseDuration } from './duration.js';
export { readSecret } from './secretSource.js';
export type { BridgeLogger } from './bridgeLogger.js';
