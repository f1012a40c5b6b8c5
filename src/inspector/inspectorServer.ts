/**
 * The inspector's HTTP server: the page, its script, style and Mermaid bundle, a JSON API
 * over the aggregate, and the live feed. It listens on 127.0.0.1 only, and it answers only
 * requests addressed to that host or to localhost, so another web page cannot reach it
 * through a DNS name that resolves to the loopback address.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientScript } from './assets/clientScript.js';
import { readMermaidBundle } from './assets/mermaidBundle.js';
import { inspectorPage } from './assets/page.js';
import { inspectorStyles } from './assets/styles.js';
import { allStates, readMachineModel } from './diagram/machineModel.js';
import { mermaidStateId, renderMermaid } from './diagram/mermaid.js';
import { elicitationMachine } from '../machines/elicitationMachine.js';
import type { InspectorAggregate } from './inspectorAggregate.js';
import { SummaryStream, type SummaryStreamOptions } from './summaryStream.js';

/** The only address the inspector listens on. */
export const inspectorHost = '127.0.0.1';

export interface InspectorServerOptions extends SummaryStreamOptions {
  /** The TCP port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** The source of events that the page names: a store's path, or "embedded runtime". */
  readonly source: string;
  /** Receives each error that a request met, after the request got a 500 response. */
  readonly onError?: (error: unknown) => void;
}

export interface InspectorServer {
  /** `http://127.0.0.1:PORT/`. */
  readonly url: string;
  readonly port: number;
  /** Ends every live feed and stops listening. */
  close(): Promise<void>;
}

type Route = (request: IncomingMessage, response: ServerResponse, url: URL) => void | Promise<void>;

const securityHeaders = {
  // Mermaid writes a <style> element into the SVG it draws, so inline styles are allowed; scripts are not.
  'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** How many of the latest events a page gets when it opens. */
const recentOnOpen = 100;

/** Starts serving `aggregate` on 127.0.0.1; resolves once the server listens. */
export async function startInspectorServer(aggregate: InspectorAggregate, options: InspectorServerOptions): Promise<InspectorServer> {
  const stream = new SummaryStream(aggregate, options);
  const routeOf = createRoutes(aggregate, stream, options.source);
  let allowedHosts: ReadonlySet<string> = new Set();

  const server = createServer((request, response) => {
    void handle(request, response, routeOf, allowedHosts).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: 'the inspector failed to answer this request; see the log of the process that serves it' });
      else response.end();
      options.onError?.(error);
    });
  });

  try {
    await listen(server, options.port);
  } catch (error) {
    stream.close();
    throw error;
  }
  server.on('error', (error) => options.onError?.(error));
  const port = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`${inspectorHost}:${port}`, `localhost:${port}`]);

  return {
    url: `http://${inspectorHost}:${port}/`,
    port,
    close: () => closeServer(server, stream),
  };
}

function createRoutes(aggregate: InspectorAggregate, stream: SummaryStream, source: string): (pathname: string) => Route | undefined {
  const model = readMachineModel(elicitationMachine);
  const diagram = {
    machine: model.id,
    mermaid: renderMermaid(model),
    states: allStates(model).map((state) => ({ id: state.id, key: state.key, type: state.type, mermaidId: mermaidStateId(state.id) })),
  };

  const routes = new Map<string, Route>([
    ['/', (_request, response) => sendBody(response, 'text/html; charset=utf-8', inspectorPage)],
    ['/assets/inspector.js', (_request, response) => sendBody(response, 'text/javascript; charset=utf-8', clientScript)],
    ['/assets/inspector.css', (_request, response) => sendBody(response, 'text/css; charset=utf-8', inspectorStyles)],
    ['/assets/mermaid.min.js', async (_request, response) => sendBody(response, 'text/javascript; charset=utf-8', await readMermaidBundle(), 'max-age=3600')],
    // Browsers request an icon, and an empty response keeps a 404 out of the console.
    ['/favicon.ico', (_request, response) => void response.writeHead(204, securityHeaders).end()],
    ['/api/diagram', (_request, response) => sendJson(response, 200, diagram)],
    ['/api/summary', (_request, response) => sendJson(response, 200, { source, summary: aggregate.summary(), recent: aggregate.recentEvents(recentOnOpen) })],
    ['/api/search', (_request, response, url) => sendJson(response, 200, aggregate.search(url.searchParams.get('q') ?? '', searchLimit(url)))],
    ['/api/stream', (request, response) => stream.open(request, response, recentOnOpen)],
  ]);

  const historyPrefix = '/api/elicitations/';
  const historyRoute: Route = (_request, response, url) => {
    const id = decodeURIComponent(url.pathname.slice(historyPrefix.length));
    const history = aggregate.history(id);
    if (history === undefined) sendJson(response, 404, { error: `no elicitation has id ${id}; search by ref or agent to find its id` });
    else sendJson(response, 200, history);
  };

  return (pathname) => routes.get(pathname) ?? (pathname.startsWith(historyPrefix) ? historyRoute : undefined);
}

async function handle(request: IncomingMessage, response: ServerResponse, routeOf: (pathname: string) => Route | undefined, allowedHosts: ReadonlySet<string>): Promise<void> {
  if (!allowedHosts.has(request.headers.host ?? '')) {
    sendJson(response, 403, { error: `this inspector answers only requests addressed to ${[...allowedHosts].join(' or ')}` });
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    sendJson(response, 405, { error: `${request.method ?? 'this method'} is not allowed; the inspector only reads` });
    return;
  }

  const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
  const route = routeOf(url.pathname);
  if (route === undefined) {
    sendJson(response, 404, { error: `nothing is served at ${url.pathname}` });
    return;
  }
  await route(request, response, url);
}

function searchLimit(url: URL): number {
  const limit = Number(url.searchParams.get('limit') ?? 50);
  return Number.isInteger(limit) && limit >= 1 && limit <= 500 ? limit : 50;
}

function sendBody(response: ServerResponse, contentType: string, body: string | Buffer, cacheControl = 'no-cache'): void {
  response.writeHead(200, { ...securityHeaders, 'Content-Type': contentType, 'Cache-Control': cacheControl });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { ...securityHeaders, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(JSON.stringify(value));
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new Error(`port ${port} on ${inspectorHost} is in use; choose another port, or 0 for any free port`));
      else reject(error);
    };
    server.once('error', onError);
    server.listen(port, inspectorHost, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

async function closeServer(server: Server, stream: SummaryStream): Promise<void> {
  stream.close();
  const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  // Idle keep-alive connections would hold `close` open until they time out.
  server.closeAllConnections();
  await closed;
}
