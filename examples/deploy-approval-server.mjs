#!/usr/bin/env node
/**
 * A small MCP server over stdio whose tool `deploy` asks the person at the client to approve
 * a release before it "deploys" it. The question goes out as an MCP elicitation through
 * `elicitFromClient`, and the runtime keeps its life: a 10-minute deadline, the answer
 * checked against the schema, and the outcome in the event log of a SQLite store.
 *
 * Run it from an MCP client (after `npm run build`), for example:
 *   node examples/deploy-approval-server.mjs [STORE]     (STORE defaults to deploy-approvals.db)
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { createElicitationRuntime } from 'elicitation-runtime';
import { elicitFromClient } from 'elicitation-runtime/mcp';
import { SqliteEventStore } from 'elicitation-runtime/sqlite';

const storePath = process.argv[2] ?? 'deploy-approvals.db';
const runtime = await createElicitationRuntime({ store: new SqliteEventStore(storePath), schemaProfile: 'mcp' });
const server = new McpServer({ name: 'deploy-approvals', version: '1.0.0' });

const approvalSchema = {
  type: 'object',
  properties: {
    approved: { type: 'boolean', title: 'Approve this deployment?' },
    environment: { type: 'string', title: 'Environment', enum: ['staging', 'production'] },
    note: { type: 'string', title: 'Note for the release log', maxLength: 200 },
  },
  required: ['approved', 'environment'],
};

server.registerTool(
  'deploy',
  { description: 'Deploys a release once the user approves it', inputSchema: { release: z.string().min(1) } },
  async ({ release }, extra) => {
    const outcome = await elicitFromClient(server, runtime, {
      from: 'deploy-approvals',
      to: 'user',
      message: `Deploy release ${release}?`,
      schema: approvalSchema,
      timeoutMs: 10 * 60_000,
      // Cancelling the tool call withdraws the question; the form travels with the tool call.
      signal: extra.signal,
      relatedRequestId: extra.requestId,
    });

    // Only an answered elicitation has content: a decline or a cancel cannot pass for approval.
    if (outcome.state === 'answered' && outcome.content.approved) {
      return text(`Deploying release ${release} to ${outcome.content.environment}.`);
    }
    if (outcome.state === 'answered') return text(`Release ${release} was not approved.`);
    if (outcome.state === 'rejected') return text(`Release ${release} was not deployed: the question was ${outcome.reason}.`);
    return text(`Release ${release} was not deployed: nobody answered within 10 minutes.`);
  },
);

function text(message) {
  return { content: [{ type: 'text', text: message }] };
}

// The client closing stdin ends the session, and the runtime then flushes and closes the store.
server.server.onclose = () => void runtime.stop();
await server.connect(new StdioServerTransport());
