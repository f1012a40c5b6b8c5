/**
 * The live feed of the inspector page, as server-sent events. A page that connects gets a
 * `summary` event (the aggregate and the latest events), then an `update` event at most
 * every `intervalMs` while events arrive: the new aggregate and the newest of the events
 * applied since the last update. However fast the log grows, each client gets a few
 * small messages a second.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import type { InspectorAggregate, InspectorSummary } from './inspectorAggregate.js';
import { RingBuffer } from './ringBuffer.js';
import type { TimelineEntry } from './timelineEntry.js';

export interface SummaryStreamOptions {
  /** The shortest time between two updates, in milliseconds; 250 by default. */
  readonly intervalMs?: number;
  /** The maximum number of events one update carries; older ones are counted as `dropped`. 100 by default. */
  readonly maxEventsPerUpdate?: number;
  /** How often an idle connection gets a comment line, so proxies keep it open; 15 s by default. */
  readonly heartbeatMs?: number;
}

/** The data of an `update` event. */
export interface SummaryUpdate {
  readonly summary: InspectorSummary;
  /** The newest events applied since the previous update, oldest first. */
  readonly events: readonly TimelineEntry[];
  /** How many events were applied since the previous update but are not in `events`. */
  readonly dropped: number;
}

export class SummaryStream {
  private readonly clients = new Set<ServerResponse>();
  private readonly unsent: RingBuffer<TimelineEntry>;
  private readonly subscription: Subscription;
  private readonly ticker: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private unsentCount = 0;

  constructor(private readonly aggregate: InspectorAggregate, options: SummaryStreamOptions = {}) {
    this.unsent = new RingBuffer(options.maxEventsPerUpdate ?? 100);
    this.subscription = aggregate.applied$.subscribe((entry) => this.collect(entry));
    this.ticker = setInterval(() => this.sendUpdate(), options.intervalMs ?? 250);
    this.heartbeat = setInterval(() => this.broadcast(': heartbeat\n\n'), options.heartbeatMs ?? 15_000);
    // The server keeps the process alive while it listens; these timers need not.
    this.ticker.unref();
    this.heartbeat.unref();
  }

  /** Takes `response` as a new event stream and sends it the current summary. */
  open(request: IncomingMessage, response: ServerResponse, recentEvents: number): void {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
    });
    response.write('retry: 2000\n\n');
    response.write(message('summary', { summary: this.aggregate.summary(), recent: this.aggregate.recentEvents(recentEvents) }));

    this.clients.add(response);
    request.on('close', () => this.clients.delete(response));
  }

  /** Ends every stream and stops the timers. */
  close(): void {
    clearInterval(this.ticker);
    clearInterval(this.heartbeat);
    this.subscription.unsubscribe();
    for (const response of this.clients) response.end();
    this.clients.clear();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private collect(entry: TimelineEntry): void {
    // A client that connects later gets the latest events in its `summary`, so nothing is kept without clients.
    if (this.clients.size === 0) return;
    this.unsent.push(entry);
    this.unsentCount += 1;
  }

  private sendUpdate(): void {
    if (this.unsentCount === 0) return;

    const events = this.unsent.latest();
    const update: SummaryUpdate = { summary: this.aggregate.summary(), events, dropped: this.unsentCount - events.length };
    this.unsent.clear();
    this.unsentCount = 0;
    this.broadcast(message('update', update));
  }

  private broadcast(text: string): void {
    for (const response of this.clients) {
      // A client that has not read the previous message misses this one, so the server
      // never buffers without bound. The next update carries the whole summary again.
      if (!response.writableNeedDrain) response.write(text);
    }
  }
}

function message(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
