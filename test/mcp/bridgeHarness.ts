/**
 * A bridge on a free port of 127.0.0.1, over a SQLite store in a temporary folder, at
 * security `strict` on the `mcp` schema profile as `elicit serve` runs it. The SDK's real
 * Client connects to it over Streamable HTTP, as any number of agents.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ElicitRequestSchema, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { createElicitationRuntime, readAll, type DomainEvent, type ElicitationRuntime } from '../../src/index.js';
import { AgentTokens, startBridgeServer, type BridgeServer, type BridgeServerOptions } from '../../src/mcp/index.js';
import { SqliteEventStore } from '../../src/store/sqliteEventStore.js';

export const secret = 'mcp-bridge-test-secret-0123456789abcdef';

export const approvalSchema = {
  type: 'object',
  properties: { approved: { type: 'boolean' }, note: { type: 'string', maxLength: 100 } },
  required: ['approved'],
};

/** What the client's `elicitation/create` handler gets: the request and the abort signal of its cancellation. */
export type ElicitationHandler = (request: ElicitRequest, signal: AbortSignal) => Promise<ElicitResult> | ElicitResult;

export interface ToolOutcome {
  readonly isError: boolean;
  readonly structured: Record<string, unknown>;
}

export interface TestBridge {
  readonly runtime: ElicitationRuntime;
  readonly bridge: BridgeServer;
  readonly agentTokens: AgentTokens;
  /** Connects an SDK Client as `agent`, with push delivery when `handler` is given. */
  connect(agent: string, options?: { handler?: ElicitationHandler; token?: string }): Promise<Client>;
  /** Every event in the store, in log order. */
  events(): Promise<DomainEvent[]>;
  close(): Promise<void>;
}

export async function startTestBridge(options: Partial<Pick<BridgeServerOptions, 'heartbeatMs' | 'maxPushAttempts'>> = {}): Promise<TestBridge> {
  const workDir = mkdtempSync(join(tmpdir(), 'elicit-bridge-'));
  const store = new SqliteEventStore(join(workDir, 'bridge.db'));
  const runtime = await createElicitationRuntime({ store, security: { level: 'strict', secret }, schemaProfile: 'mcp' });
  const agentTokens = AgentTokens.fromSecret(secret);
  const bridge = await startBridgeServer({ runtime, agentTokens, port: 0, ...options });
  const clients: Client[] = [];

  return {
    runtime,
    bridge,
    agentTokens,
    async connect(agent, { handler, token } = {}) {
      const client = new Client({ name: `${agent}-client`, version: '1.0.0' }, { capabilities: handler ? { elicitation: { form: {} } } : {} });
      if (handler) client.setRequestHandler(ElicitRequestSchema, (request, extra) => handler(request, extra.signal));
      const bearer = token ?? agentTokens.issue(agent, 3_600_000);
      const transport = new StreamableHTTPClientTransport(bridge.url, { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } });
      await client.connect(transport);
      clients.push(client);
      // Listing the tools makes the client check every structuredContent against its output schema.
      await client.listTools();
      return client;
    },
    events: () => readAll(store),
    async close() {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      await bridge.close();
      await runtime.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** Calls a bridge tool and returns its `isError` and `structuredContent`. */
export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}, options?: RequestOptions): Promise<ToolOutcome> {
  const result = await client.callTool({ name, arguments: args }, undefined, options);
  return { isError: result.isError === true, structured: (result.structuredContent ?? {}) as Record<string, unknown> };
}

/** Waits until `condition` holds, checking every 10 ms, or fails after `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves once `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
