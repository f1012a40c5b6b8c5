/**
 * The inspector embedded in a program that runs a runtime: it follows the runtime's
 * `transitions$` and serves the page on 127.0.0.1. The runtime itself stays free of HTTP.
 */
import type { ElicitationRuntime } from '../runtime/elicitationRuntime.js';
import type { DomainEvent } from '../store/domainEvent.js';
import type { EventStore } from '../store/eventStore.js';
import { InspectorAggregate, type InspectorAggregateOptions } from './inspectorAggregate.js';
import { startInspectorServer, type InspectorServer } from './inspectorServer.js';
import { readEvents } from './readEvents.js';
import type { SummaryStreamOptions } from './summaryStream.js';

/** The part of a runtime that the inspector reads. */
export type InspectableRuntime = Pick<ElicitationRuntime, 'transitions$' | 'elicitations'>;

export interface InspectorOptions extends InspectorAggregateOptions, SummaryStreamOptions {
  /** The TCP port on 127.0.0.1; 0, the default, picks a free one (see `url`). */
  readonly port?: number;
  /**
   * The runtime's event store. When given, the inspector replays its log first, so each
   * elicitation's history is complete with positions and refusals. Without it, the
   * elicitations the runtime had before the inspector started come from their snapshots:
   * their request and outcome, without positions and without refusals.
   */
  readonly store?: EventStore;
  /** Receives each error a request to the page met. */
  readonly onError?: (error: unknown) => void;
}

export interface Inspector extends InspectorServer {
  readonly aggregate: InspectorAggregate;
}

/**
 * Serves a live inspector page for `runtime` on 127.0.0.1. Close it before or after
 * stopping the runtime; it never stops the runtime.
 *
 * @example
 * const runtime = await createElicitationRuntime({ store })
 * const inspector = await startInspector(runtime, { store, port: 4820 })
 * console.log(`inspector at ${inspector.url}`)
 * // ... later
 * await inspector.close()
 */
export async function startInspector(runtime: InspectableRuntime, options: InspectorOptions = {}): Promise<Inspector> {
  const aggregate = new InspectorAggregate(options);

  // Subscribed before the past is read, so no event falls between the two; the aggregate
  // skips what it has already applied.
  let caughtUp = false;
  const arrived: DomainEvent[] = [];
  const subscription = runtime.transitions$.subscribe((event) => {
    if (caughtUp) aggregate.apply(event);
    else arrived.push(event);
  });

  try {
    if (options.store !== undefined) {
      for (const event of await readEvents(options.store, 0)) aggregate.apply(event);
    } else {
      for (const record of runtime.elicitations()) aggregate.seed(record);
    }
    for (const event of arrived) aggregate.apply(event);
    caughtUp = true;

    const server = await startInspectorServer(aggregate, { ...options, port: options.port ?? 0, source: options.store === undefined ? 'embedded runtime' : 'embedded runtime and its store' });
    return {
      aggregate,
      url: server.url,
      port: server.port,
      close: async () => {
        subscription.unsubscribe();
        await server.close();
      },
    };
  } catch (error) {
    subscription.unsubscribe();
    throw error;
  }
}
