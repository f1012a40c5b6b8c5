/**
 * Follows an event store that another process writes. On an interval, it reads the events
 * past the last position applied into an inspector aggregate. A long log is read in
 * slices, so the server responds between them while it catches up.
 */
import type { EventStore } from '../store/eventStore.js';
import type { InspectorAggregate } from './inspectorAggregate.js';
import { readEvents } from './readEvents.js';

export interface StorePollerOptions {
  /** How long to wait after reading everything before reading again, in milliseconds; 250 by default. */
  readonly intervalMs?: number;
  /** The maximum number of events one read takes; 10,000 by default. */
  readonly maxEventsPerRead?: number;
  /**
   * Receives a failed read and how many reads in a row have failed; the poller tries
   * again after `intervalMs`.
   */
  readonly onError?: (error: unknown, failuresInARow: number) => void;
}

export class StorePoller {
  private readonly intervalMs: number;
  private readonly maxEventsPerRead: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private failuresInARow = 0;

  constructor(private readonly store: EventStore, private readonly aggregate: InspectorAggregate, private readonly options: StorePollerOptions = {}) {
    this.intervalMs = options.intervalMs ?? 250;
    this.maxEventsPerRead = options.maxEventsPerRead ?? 10_000;
  }

  /** Starts reading at once, and goes on until `stop`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Applies up to one slice of new events and returns how many it applied. */
  async pollOnce(): Promise<number> {
    const events = await readEvents(this.store, this.aggregate.lastPosition, this.maxEventsPerRead);
    for (const event of events) this.aggregate.apply(event);
    return events.length;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.poll(), delayMs);
  }

  private async poll(): Promise<void> {
    try {
      const applied = await this.pollOnce();
      this.failuresInARow = 0;
      // A full slice means more may be waiting: read the next one after a turn of the event loop.
      this.schedule(applied === this.maxEventsPerRead ? 0 : this.intervalMs);
    } catch (error) {
      this.failuresInARow += 1;
      this.options.onError?.(error, this.failuresInARow);
      this.schedule(this.intervalMs);
    }
  }
}
