/**
 * The agent bridge: an MCP server over Streamable HTTP on 127.0.0.1, where many agents
 * connect at once. Each HTTP request is authenticated by its bearer token. Each MCP session
 * belongs to the agent that opened it and has its own SDK `Server`, whose tools act as that
 * agent. Pending elicitations are also pushed to responders whose clients can show them.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ErrorCode, isInitializeRequest, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ElicitationRuntime } from '../runtime/elicitationRuntime.js';
import { SchemaValidator } from '../security/schemaValidator.js';
import type { AgentTokens, VerifiedAgent } from './agentTokens.js';
import { BearerAuthenticator } from './bearerAuth.js';
import { silentLogger, type BridgeLogger } from './bridgeLogger.js';
import { bridgeToolNames, bridgeTools } from './bridgeToolSchemas.js';
import { callBridgeTool } from './bridgeTools.js';
import { HttpRefusal, readJsonBody, writeJsonRpcError } from './httpResponses.js';
import { PushDelivery } from './pushDelivery.js';

export interface BridgeServerOptions {
  /** The runtime the tools act on; `elicit serve` runs it `strict`, on the `mcp` schema profile. */
  readonly runtime: ElicitationRuntime;
  /** Verifies the bearer token of every HTTP request. */
  readonly agentTokens: AgentTokens;
  /** The TCP port on 127.0.0.1; 0, the default, picks a free one. */
  readonly port?: number;
  readonly logger?: BridgeLogger;
  /** How often `elicit_ask` and `elicit_await` send progress while they wait, if asked to; 15 s by default. */
  readonly heartbeatMs?: number;
  /** How many times one session is sent a form while its answers fail the schema; 3 by default. */
  readonly maxPushAttempts?: number;
  /** The largest request body taken, in bytes; 4 MiB by default. */
  readonly maxBodyBytes?: number;
  /** Epoch milliseconds, for token expiry and deadlines; `Date.now` by default, which the runtime's default clock also uses. */
  readonly now?: () => number;
}

export interface BridgeServer {
  /** The MCP endpoint, `http://127.0.0.1:<port>/mcp`. */
  readonly url: URL;
  readonly port: number;
  /** How many MCP sessions are open now. */
  readonly sessionCount: number;
  /** Closes every session and the HTTP server; the runtime stays as it is, for its owner to stop. */
  close(): Promise<void>;
}

interface BridgeSession {
  readonly id: string;
  readonly agent: string;
  readonly server: Server;
  readonly transport: StreamableHTTPServerTransport;
  /** The latest expiry of the bearer tokens it was used with; past it, the session is closed. */
  expiresAt: number;
}

const host = '127.0.0.1';
const endpointPath = '/mcp';
const sweepIntervalMs = 60_000;
const bridgeVersion = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
const instructions =
  'Agents ask each other for structured input here. You act as the agent your bearer token names. ' +
  'Ask with elicit_ask (waits) or elicit_request then elicit_await; answer what elicit_pending lists with elicit_respond, passing its responseToken.';

/**
 * Starts the bridge on 127.0.0.1 and resolves once it listens.
 *
 * @example
 * const runtime = await createElicitationRuntime({ store: new SqliteEventStore('elicit.db'), security: { level: 'strict', secret }, schemaProfile: 'mcp' })
 * const bridge = await startBridgeServer({ runtime, agentTokens: AgentTokens.fromSecret(secret), port: 7420 })
 * console.log(`MCP endpoint: ${bridge.url}`)
 */
export async function startBridgeServer(options: BridgeServerOptions): Promise<BridgeServer> {
  const bridge = new McpBridge(options);
  await bridge.listen(options.port ?? 0);
  return bridge;
}

class McpBridge implements BridgeServer {
  private readonly runtime: ElicitationRuntime;
  private readonly logger: BridgeLogger;
  private readonly now: () => number;
  private readonly heartbeatMs: number;
  private readonly maxBodyBytes: number;
  private readonly authenticator: BearerAuthenticator;
  private readonly push: PushDelivery;
  private readonly validator = new SchemaValidator();
  private readonly sessions = new Map<string, BridgeSession>();
  private readonly http: HttpServer;
  private sweep: NodeJS.Timeout | undefined;
  private listeningPort = 0;
  private closed = false;

  constructor(options: BridgeServerOptions) {
    this.runtime = options.runtime;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
    this.authenticator = new BearerAuthenticator(options.agentTokens, this.logger, this.now);
    this.push = new PushDelivery({ runtime: this.runtime, logger: this.logger, maxAttempts: options.maxPushAttempts ?? 3, now: this.now });
    this.http = createServer((req, res) => void this.handle(req, res));
  }

  get url(): URL {
    return new URL(`http://${host}:${this.listeningPort}${endpointPath}`);
  }

  get port(): number {
    return this.listeningPort;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is in use; choose another port, or 0 for a free one`, { cause: error }) : error);
      };
      this.http.once('error', onError);
      this.http.listen(port, host, () => {
        this.http.off('error', onError);
        this.listeningPort = (this.http.address() as AddressInfo).port;
        this.sweep = setInterval(() => this.sweepSessions(), sweepIntervalMs);
        this.sweep.unref();
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;

    clearInterval(this.sweep);
    this.push.stop();
    await Promise.all([...this.sessions.values()].map((session) => session.server.close().catch(() => undefined)));
    // Event streams stay open until closed from this side, and `close` waits for every connection.
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = new URL(req.url ?? '/', `http://${host}`).pathname;
      if (path !== endpointPath) throw new HttpRefusal(404, `Not Found: the MCP endpoint is ${endpointPath}`);
      this.checkHost(req);
      const caller = this.authenticator.authenticate(req, res);
      if (caller === undefined) return;

      if (req.method === 'POST') return await this.handlePost(req, res, caller);
      if (req.method === 'GET' || req.method === 'DELETE') return await this.handleInSession(req, res, caller);
      throw new HttpRefusal(405, `Method Not Allowed: ${req.method ?? ''}; use POST, GET or DELETE`);
    } catch (error) {
      if (error instanceof HttpRefusal) {
        this.logger.info(`refused ${req.method ?? ''} ${req.url ?? ''} with ${error.status}: ${error.message}`);
        writeJsonRpcError(res, error.status, error.message, error.status === 405 ? { Allow: 'GET, POST, DELETE' } : {}, error.rpcCode);
        return;
      }
      this.logger.error(`${req.method ?? ''} ${req.url ?? ''} failed: ${(error as Error).stack ?? String(error)}`);
      writeJsonRpcError(res, 500, 'Internal Server Error', {}, -32603);
    }
  }

  /** Refuses a Host or Origin that is not this loopback server, so that DNS rebinding cannot reach it from a browser. */
  private checkHost(req: IncomingMessage): void {
    const allowed = [`${host}:${this.listeningPort}`, `localhost:${this.listeningPort}`];
    if (!allowed.includes(req.headers.host ?? '')) throw new HttpRefusal(403, `Forbidden: the Host header ${JSON.stringify(req.headers.host ?? '')} is not ${allowed.join(' or ')}`);
    const origin = req.headers.origin;
    if (origin !== undefined && !allowed.some((hostAndPort) => origin === `http://${hostAndPort}`)) {
      throw new HttpRefusal(403, `Forbidden: the Origin ${JSON.stringify(origin)} is not this server`);
    }
  }

  private async handlePost(req: IncomingMessage, res: ServerResponse, caller: VerifiedAgent): Promise<void> {
    const body = await readJsonBody(req, this.maxBodyBytes);
    const sessionId = req.headers['mcp-session-id'];
    if (sessionId !== undefined) {
      const session = this.sessionOf(sessionId, caller);
      await session.transport.handleRequest(req, res, body);
      return;
    }

    if (!isInitializeRequest(body)) throw new HttpRefusal(400, 'Bad Request: no Mcp-Session-Id header; send initialize first to open a session');
    await this.openSession(req, res, caller, body);
  }

  private async handleInSession(req: IncomingMessage, res: ServerResponse, caller: VerifiedAgent): Promise<void> {
    const sessionId = req.headers['mcp-session-id'];
    if (sessionId === undefined) throw new HttpRefusal(400, 'Bad Request: no Mcp-Session-Id header');
    const session = this.sessionOf(sessionId, caller);
    if (req.method === 'GET') this.watchEventStream(session, res);
    await session.transport.handleRequest(req, res);
  }

  private sessionOf(sessionIdHeader: string | string[], caller: VerifiedAgent): BridgeSession {
    const sessionId = Array.isArray(sessionIdHeader) ? sessionIdHeader[0] : sessionIdHeader;
    const session = this.sessions.get(sessionId ?? '');
    // 404 tells an MCP client that its session is gone and that it should initialize a new one.
    if (session === undefined) throw new HttpRefusal(404, 'Session not found: initialize a new session', -32001);
    if (session.agent !== caller.agent) throw new HttpRefusal(403, `Forbidden: this session belongs to another agent than "${caller.agent}"`);

    session.expiresAt = Math.max(session.expiresAt, caller.expiresAt);
    return session;
  }

  private async openSession(req: IncomingMessage, res: ServerResponse, caller: VerifiedAgent, body: unknown): Promise<void> {
    const server = this.createSessionServer(caller.agent);
    let session: BridgeSession | undefined;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        session = { id: sessionId, agent: caller.agent, server, transport, expiresAt: caller.expiresAt };
        this.sessions.set(sessionId, session);
      },
    });
    server.oninitialized = () => {
      const client = server.getClientVersion();
      this.logger.info(`session ${session?.id ?? '(none)'} opened for agent "${caller.agent}" by client ${client?.name ?? '(unnamed)'} ${client?.version ?? ''}`.trimEnd());
    };
    server.onclose = () => {
      if (session !== undefined) this.forgetSession(session);
    };
    server.onerror = (error) => this.logger.error(`MCP session of agent "${caller.agent}": ${error.message}`);

    await server.connect(transport);
    try {
      await transport.handleRequest(req, res, body);
    } finally {
      // An initialize that the transport refused opened no session, and nothing else would close it.
      if (session === undefined) await server.close();
    }
  }

  private createSessionServer(agent: string): Server {
    // The low-level `Server`: the tools need hand-written JSON Schemas and their own refusal results,
    // which `McpServer` would replace with Zod checks and text-only errors.
    const server = new Server({ name: 'elicitation-runtime-bridge', version: bridgeVersion }, { capabilities: { tools: {} }, instructions });
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [...bridgeTools] }));
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const context = { runtime: this.runtime, agent, validator: this.validator, heartbeatMs: this.heartbeatMs, extra, bridgeClosing: () => this.closed };
      const result = await callBridgeTool(request.params.name, request.params.arguments, context).catch((error: unknown) => {
        this.logger.error(`tool ${request.params.name} of agent "${agent}" failed: ${(error as Error).stack ?? String(error)}`);
        throw error;
      });
      if (result === undefined) throw new McpError(ErrorCode.InvalidParams, `unknown tool "${request.params.name}"; the tools are ${bridgeToolNames.join(', ')}`);
      return result;
    });
    return server;
  }

  /** Tells push delivery when the session's event stream, on which its requests travel, opens and closes. */
  private watchEventStream(session: BridgeSession, res: ServerResponse): void {
    void whenStreamOpens(res).then((opened) => {
      if (!opened) return;
      res.once('close', () => this.push.streamClosed(session.id));
      this.push.streamOpened({ sessionId: session.id, agent: session.agent, server: session.server });
    });
  }

  private forgetSession(session: BridgeSession): void {
    if (this.sessions.get(session.id) !== session) return;
    this.sessions.delete(session.id);
    this.push.removeSession(session.id);
    this.logger.info(`session ${session.id} of agent "${session.agent}" closed`);
  }

  /** Closes sessions whose every bearer token has expired, so clients that vanished do not hold them forever. */
  private sweepSessions(): void {
    this.authenticator.summarize();
    const now = this.now();
    for (const session of this.sessions.values()) {
      if (session.expiresAt > now) continue;
      this.logger.info(`closing session ${session.id} of agent "${session.agent}": its bearer token expired`);
      session.server.close().catch((error: unknown) => this.logger.error(`closing session ${session.id} failed: ${(error as Error).message}`));
    }
  }
}

/**
 * Resolves with whether the response became an open event stream. The transport registers
 * the stream before it writes the headers, so once they are sent, requests reach the client.
 */
function whenStreamOpens(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const check = () => {
      if (res.headersSent) return resolve(res.statusCode === 200);
      if (res.destroyed || res.writableEnded) return resolve(false);
      setTimeout(check, 2);
    };
    check();
  });
}
