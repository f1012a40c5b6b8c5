/**
 * The runtime's write path: events go in through an RxJS subject, are group-committed to
 * the store, and come out on `committed$` with their positions, in log order. Each
 * `append` resolves once its event is durable.
 */
import { Subject, type Observable } from 'rxjs';
import { ElicitationError } from './errors.js';
import { groupCommit } from './groupCommit.js';
import type { DomainEvent, UnstoredEvent } from '../store/domainEvent.js';
import type { EventStore } from '../store/eventStore.js';

interface Submission {
  readonly event: UnstoredEvent;
  readonly resolve: (event: DomainEvent) => void;
  readonly reject: (error: unknown) => void;
}

export interface EventLogOptions {
  readonly maxBatchSize?: number;
  /** Called with the size of every batch written, for metrics and benchmarks. */
  readonly onBatch?: (size: number) => void;
}

export class EventLog {
  private readonly submissions = new Subject<Submission>();
  private readonly committed = new Subject<DomainEvent>();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  /** Every durable event, in position order. */
  readonly committed$: Observable<DomainEvent> = this.committed.asObservable();

  constructor(private readonly store: EventStore, options: EventLogOptions = {}) {
    const write = (batch: readonly Submission[]) => store.append(batch.map((submission) => submission.event));
    this.submissions.pipe(groupCommit(write, { maxBatchSize: options.maxBatchSize ?? 2048 })).subscribe((outcome) => {
      options.onBatch?.(outcome.batch.length);
      if ('error' in outcome) this.failBatch(outcome.batch, outcome.error);
      else this.acknowledgeBatch(outcome.batch, outcome.result);
    });
  }

  /** How many events wait to be written or are being written. */
  get backlog(): number {
    return this.inFlight;
  }

  /** Queues `event` for the next batch; resolves with its position once it is durable. */
  append(event: UnstoredEvent): Promise<DomainEvent> {
    return new Promise((resolve, reject) => {
      this.inFlight += 1;
      this.submissions.next({ event, resolve, reject });
    });
  }

  /** Resolves once every event appended so far has been written or has failed. */
  flush(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private acknowledgeBatch(batch: readonly Submission[], stored: readonly DomainEvent[]): void {
    for (let index = 0; index < batch.length; index++) {
      const event = stored[index]!;
      this.committed.next(event);
      batch[index]!.resolve(event);
    }
    this.settleBatch(batch.length);
  }

  private failBatch(batch: readonly Submission[], cause: unknown): void {
    const reason = cause instanceof Error ? cause.message : String(cause);
    for (const submission of batch) {
      submission.reject(
        new ElicitationError('STORE_UNAVAILABLE', `the event store did not take a batch of ${batch.length} events (${reason}); the command was not made durable, so retry it`, {}, { cause }),
      );
    }
    this.settleBatch(batch.length);
  }

  private settleBatch(size: number): void {
    this.inFlight -= size;
    if (this.inFlight > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
