/**
 * The embedded inspector, `startInspector(runtime)`, over HTTP as a browser reaches it: it
 * listens on 127.0.0.1 only, serves every asset itself, refuses requests addressed to
 * another host, and streams events as server-sent events while the runtime works.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createElicitationRuntime, MemoryEventStore, SimulatedClock, type ElicitationRuntime } from '../../src/index.js';
import { startInspector, type Inspector } from '../../src/inspector/index.js';
import { listeningAddresses, loopbackHex } from './listeningAddresses.js';

const schema = { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] };
const start = Date.UTC(2026, 0, 1);

let runtime: ElicitationRuntime | undefined;
let inspector: Inspector | undefined;

afterEach(async () => {
  await inspector?.close();
  await runtime?.stop();
  inspector = undefined;
  runtime = undefined;
});

async function startRuntime(store = new MemoryEventStore()): Promise<ElicitationRuntime> {
  runtime = await createElicitationRuntime({ store, clock: new SimulatedClock(start) });
  return runtime;
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** GETs `path` on 127.0.0.1 with `host` as the Host header (the inspector's own by default). */
function get(port: number, path: string, options: { host?: string; method?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { host: options.host ?? `127.0.0.1:${port}` };
    const outgoing = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

async function getJson<T>(port: number, path: string): Promise<T> {
  const answer = await get(port, path);
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body) as T;
}

/** Tries a TCP connection and returns whether it was accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface StreamedEvent {
  readonly event: string;
  readonly data: unknown;
}

/**
 * Reads server-sent events from `path` until `done` returns true for the events so far.
 * `onFirst` runs when the first event arrives, which shows that the stream is open.
 */
function readEvents(port: number, path: string, done: (events: StreamedEvent[]) => boolean, onFirst: () => void, timeoutMs = 5_000): Promise<StreamedEvent[]> {
  return new Promise((resolve, reject) => {
    const events: StreamedEvent[] = [];
    const outgoing = httpRequest({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, accept: 'text/event-stream' } }, (response) => {
      expect(response.headers['content-type']).toContain('text/event-stream');
      let buffered = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffered += chunk;
        let end = buffered.indexOf('\n\n');
        while (end !== -1) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) {
            events.push({ event, data: JSON.parse(data) as unknown });
            if (events.length === 1) onFirst();
          }
          end = buffered.indexOf('\n\n');
        }
        if (done(events)) {
          clearTimeout(timer);
          outgoing.destroy();
          resolve(events);
        }
      });
    });
    const timer = setTimeout(() => {
      outgoing.destroy();
      reject(new Error(`the stream gave ${events.length} events, not the ones expected, within ${timeoutMs} ms: ${JSON.stringify(events)}`));
    }, timeoutMs);
    outgoing.on('error', (error) => {
      if (!outgoing.destroyed) reject(error);
    });
    outgoing.end();
  });
}

describe('startInspector', () => {
  it('listens on 127.0.0.1 only', async () => {
    inspector = await startInspector(await startRuntime());

    expect(inspector.url).toBe(`http://127.0.0.1:${inspector.port}/`);
    expect(await accepts('127.0.0.1', inspector.port)).toBe(true);
    // A server on all interfaces (`::` or 0.0.0.0 with dual stack) would accept on ::1 too.
    expect(await accepts('::1', inspector.port)).toBe(false);
    const listening = listeningAddresses(inspector.port);
    if (listening !== undefined) expect(listening).toEqual([loopbackHex]);
  });

  it('refuses a request addressed to another host', async () => {
    inspector = await startInspector(await startRuntime());

    const rebound = await get(inspector.port, '/api/summary', { host: `attacker.example:${inspector.port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain(`127.0.0.1:${inspector.port} or localhost:${inspector.port}`);
    expect((await get(inspector.port, '/api/summary', { host: `localhost:${inspector.port}` })).status).toBe(200);
  });

  it('serves the page and every asset it loads itself', async () => {
    inspector = await startInspector(await startRuntime());

    const page = await get(inspector.port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).not.toMatch(/https?:\/\//);
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets).toEqual(['/assets/inspector.css', '/assets/mermaid.min.js', '/assets/inspector.js']);
    for (const asset of assets) {
      const answer = await get(inspector.port, asset);
      expect(answer.status, asset).toBe(200);
      expect(answer.body.length, asset).toBeGreaterThan(100);
    }
  });

  it('answers unknown paths, ids and methods with an error', async () => {
    inspector = await startInspector(await startRuntime());

    expect((await get(inspector.port, '/nothing')).status).toBe(404);
    const unknown = await get(inspector.port, '/api/elicitations/no-such-id');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({ error: 'no elicitation has id no-such-id; search by ref or agent to find its id' });
    const post = await get(inspector.port, '/api/summary', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('streams events as the runtime commits them', async () => {
    const live = await startRuntime();
    inspector = await startInspector(live, { intervalMs: 20 });

    let id = '';
    const work = async () => {
      id = (await live.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 30_000 })).id;
      await live.accept({ id, agent: 'bob', content: { approved: true } });
    };
    let working: Promise<void> = Promise.resolve();
    const answeredSent = (events: StreamedEvent[]) => events.some((event) => event.event === 'update' && JSON.stringify(event.data).includes('elicitation.answered'));
    const events = await readEvents(inspector.port, '/api/stream', answeredSent, () => (working = work()));
    await working;

    expect(events[0]!.event).toBe('summary');
    const updates = events.filter((event) => event.event === 'update').map((event) => event.data as { summary: { counts: Record<string, number> }; events: Array<{ type: string; elicitationId: string }> });
    const delivered = updates.flatMap((update) => update.events);
    expect(delivered.map((entry) => entry.type)).toEqual(['elicitation.requested', 'elicitation.answered']);
    expect(delivered.every((entry) => entry.elicitationId === id)).toBe(true);
    expect(updates.at(-1)!.summary.counts).toEqual({ pending: 0, answered: 1, rejected: 0, expired: 0 });
  });

  it('opens one elicitation by id and finds it by agent', async () => {
    const live = await startRuntime();
    inspector = await startInspector(live);
    const { id } = await live.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 30_000, metadata: { ref: 'deploy' } });
    await live.decline({ id, agent: 'bob' });

    const history = await getJson<{ elicitation: { state: string; reason: string }; events: Array<{ type: string; agent: string; position: number }> }>(inspector.port, `/api/elicitations/${id}`);
    expect(history.elicitation).toMatchObject({ state: 'rejected', reason: 'declined' });
    expect(history.events.map(({ type, agent, position }) => ({ type, agent, position }))).toEqual([
      { type: 'elicitation.requested', agent: 'alice', position: 1 },
      { type: 'elicitation.rejected', agent: 'bob', position: 2 },
    ]);
    const found = await getJson<{ matchedBy: string[]; matches: Array<{ id: string }> }>(inspector.port, '/api/search?q=bob');
    expect(found).toMatchObject({ matchedBy: ['agent'], matches: [{ id }] });
  });

  it('starts on a busy runtime from its store or from its snapshots alike', async () => {
    const store = new MemoryEventStore();
    const live = await startRuntime(store);
    const first = await live.request({ from: 'alice', to: 'bob', message: 'One?', schema, timeoutMs: 30_000 });
    await live.accept({ id: first.id, agent: 'bob', content: { approved: true } });
    const second = await live.request({ from: 'alice', to: 'carol', message: 'Two?', schema, timeoutMs: 30_000 });

    const fromStore = await startInspector(live, { store });
    inspector = await startInspector(live);
    try {
      expect(inspector.aggregate.summary().counts).toEqual({ pending: 1, answered: 1, rejected: 0, expired: 0 });
      expect(fromStore.aggregate.summary().counts).toEqual(inspector.aggregate.summary().counts);
      expect(inspector.aggregate.history(first.id)!.events.map((event) => [event.type, event.position])).toEqual([
        ['elicitation.requested', null],
        ['elicitation.answered', null],
      ]);
      expect(fromStore.aggregate.history(first.id)!.events.map((event) => [event.type, event.position])).toEqual([
        ['elicitation.requested', 1],
        ['elicitation.answered', 2],
      ]);

      await live.withdraw({ id: second.id, agent: 'alice' });
      for (const started of [inspector, fromStore]) {
        expect(started.aggregate.summary().counts).toEqual({ pending: 0, answered: 1, rejected: 1, expired: 0 });
        expect(started.aggregate.history(second.id)!.events.at(-1)).toMatchObject({ type: 'elicitation.rejected', agent: 'alice', position: 4 });
      }
    } finally {
      await fromStore.close();
    }
  });
});
