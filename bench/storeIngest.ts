/**
 * Events per second into each store on its own, without the runtime: batches of the size
 * that 256 lifecycles in flight produce, of events shaped like the runtime's. Set beside the
 * runtime's own ingest, it shows how much of a durable lifecycle is the store's.
 */
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { MemoryEventStore, type ElicitationId, type AgentId, type EventStore, type UnstoredEvent } from '../src/index.js';
import { openTemporarySqliteStore } from './instruments.js';
import { approvalContent, approvalSchema, type BenchSizes } from './workload.js';

const batchSize = 256;

export interface StoreAloneRun {
  readonly events: number;
  readonly batchSize: number;
  readonly eventsPerSecond: number;
  readonly microsecondsPerEvent: number;
}

export interface StoreAloneResults {
  readonly sqlite: StoreAloneRun;
  readonly memory: StoreAloneRun;
}

export function measureStoresAlone(sizes: BenchSizes): StoreAloneResults {
  const events = lifecycleEvents(sizes.throughputLifecycles);
  const sqliteFile = openTemporarySqliteStore();
  try {
    return { sqlite: appendAll(sqliteFile.store, events), memory: appendAll(new MemoryEventStore(), events) };
  } finally {
    sqliteFile.store.close();
    sqliteFile.remove();
  }
}

function appendAll(store: EventStore, events: readonly UnstoredEvent[]): StoreAloneRun {
  const startedAt = performance.now();
  for (let first = 0; first < events.length; first += batchSize) store.append(events.slice(first, first + batchSize));
  const elapsedMs = performance.now() - startedAt;
  return { events: events.length, batchSize, eventsPerSecond: (events.length / elapsedMs) * 1000, microsecondsPerEvent: (elapsedMs * 1000) / events.length };
}

/** A requested and an answered event per lifecycle, as the runtime writes them. */
function lifecycleEvents(lifecycles: number): UnstoredEvent[] {
  const events: UnstoredEvent[] = [];
  const time = Date.now();
  for (let sequence = 0; sequence < lifecycles; sequence++) {
    const elicitationId = randomUUID() as ElicitationId;
    const correlationId = uuidv7();
    const from = `requester-${sequence % 64}` as AgentId;
    const to = `responder-${sequence % 64}` as AgentId;
    events.push({
      eventId: uuidv7(), type: 'elicitation.requested', elicitationId, version: 1, time, causationId: correlationId, correlationId,
      data: { from, to, message: `Deploy build ${sequence}?`, schema: approvalSchema, deadline: time + 3_600_000, metadata: {} },
    });
    events.push({
      eventId: uuidv7(), type: 'elicitation.answered', elicitationId, version: 2, time, causationId: uuidv7(), correlationId,
      data: { by: to, content: approvalContent },
    });
  }
  return events;
}
