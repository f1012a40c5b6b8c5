/**
 * The runtime's write path: events go in through an RxJS subject, are group-committed to
 * the store, and come out on `committed$` with their positions, in log order. Each
 * `append` resolves once its event is durable.
 *
 * When the store fails, the batch is retried with exponential backoff while later events
 * wait behind it, so the log keeps its order. If the store stays down past `giveUpAfterMs`,
 * that batch and every event queued behind it fail with `STORE_UNAVAILABLE` together, and
 * `onRollback` hands them back so the runtime can undo them: a later event never reaches
 * the log without the events it follows from.
 */
import { Subject, type Observable } from 'rxjs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ElicitationError } from './errors.js';
import { groupCommit } from './groupCommit.js';
import type { DomainEvent, UnstoredEvent } from '../store/domainEvent.js';
import type { EventStore } from '../store/eventStore.js';

interface Submission {
  readonly event: UnstoredEvent;
  readonly resolve: (event: DomainEvent) => void;
  readonly reject: (error: unknown) => void;
}

export interface StoreRetryOptions {
  /** The first wait after a failed append, in milliseconds; it doubles on each retry. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** How long a batch is retried before it and everything queued behind it fail. */
  readonly giveUpAfterMs?: number;
}

export interface EventLogOptions {
  readonly maxBatchSize?: number;
  readonly retry?: StoreRetryOptions;
  /** Called with the size of every batch written, for metrics and benchmarks. */
  readonly onBatch?: (size: number) => void;
  /** Receives, newest first, the events that failed for good, so their effects can be undone. */
  readonly onRollback?: (events: readonly UnstoredEvent[]) => void;
}

export class EventLog {
  private readonly submissions = new Subject<Submission>();
  private readonly committed = new Subject<DomainEvent>();
  private readonly retry: Required<StoreRetryOptions>;
  /** Submissions not yet written or failed, in the order they came. */
  private readonly unsettled = new Set<Submission>();
  private failingSince: number | undefined;
  private idleWaiters: (() => void)[] = [];

  /** Every durable event, in position order. */
  readonly committed$: Observable<DomainEvent> = this.committed.asObservable();

  constructor(private readonly store: EventStore, private readonly options: EventLogOptions = {}) {
    this.retry = { initialDelayMs: 5, maxDelayMs: 500, giveUpAfterMs: 5_000, ...options.retry };
    this.submissions
      .pipe(groupCommit((batch: readonly Submission[]) => this.writeBatch(batch), { maxBatchSize: options.maxBatchSize ?? 2048 }))
      .subscribe((outcome) => {
        // writeBatch settles every submission itself; an error here is a bug in this class.
        if ('error' in outcome) throw outcome.error;
      });
  }

  /** How many events wait to be written or are being written. */
  get backlog(): number {
    return this.unsettled.size;
  }

  /** Milliseconds the store has been failing, or 0 while it works. */
  get failingForMs(): number {
    return this.failingSince === undefined ? 0 : Date.now() - this.failingSince;
  }

  /** Queues `event` for the next batch; resolves with its position once it is durable. */
  append(event: UnstoredEvent): Promise<DomainEvent> {
    return new Promise((resolve, reject) => {
      const submission = { event, resolve, reject };
      this.unsettled.add(submission);
      this.submissions.next(submission);
    });
  }

  /** Resolves once every event appended so far has been written or has failed. */
  flush(): Promise<void> {
    if (this.unsettled.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private writeBatch(batch: readonly Submission[]): void | Promise<void> {
    // Submissions failed together with an earlier batch are already settled; skip them.
    const live = batch.every((submission) => this.unsettled.has(submission)) ? batch : batch.filter((submission) => this.unsettled.has(submission));
    if (live.length === 0) return;

    try {
      this.acknowledge(live, this.appendSync(live));
      return;
    } catch (error) {
      return this.retryBatch(live, error);
    }
  }

  /** Appends and returns the stored events, or a promise of them for an asynchronous store. */
  private appendSync(batch: readonly Submission[]): readonly DomainEvent[] {
    const stored = this.store.append(batch.map((submission) => submission.event));
    if (stored instanceof Promise) throw new AsyncAppend(stored);
    return stored;
  }

  private async retryBatch(batch: readonly Submission[], firstError: unknown): Promise<void> {
    let error = firstError;
    if (error instanceof AsyncAppend) {
      try {
        this.acknowledge(batch, await error.stored);
        return;
      } catch (asyncError) {
        error = asyncError;
      }
    }

    const started = Date.now();
    this.failingSince ??= started;
    let delay = this.retry.initialDelayMs;
    while (Date.now() - started < this.retry.giveUpAfterMs) {
      await sleep(Math.min(delay, Math.max(0, started + this.retry.giveUpAfterMs - Date.now())));
      delay = Math.min(delay * 2, this.retry.maxDelayMs);
      try {
        this.acknowledge(batch, await this.store.append(batch.map((submission) => submission.event)));
        return;
      } catch (retryError) {
        error = retryError;
      }
    }

    this.failEverythingQueued(error);
  }

  private acknowledge(batch: readonly Submission[], stored: readonly DomainEvent[]): void {
    this.failingSince = undefined;
    this.options.onBatch?.(batch.length);
    for (let index = 0; index < batch.length; index++) {
      const event = stored[index]!;
      this.unsettled.delete(batch[index]!);
      this.committed.next(event);
      batch[index]!.resolve(event);
    }
    this.wakeIfIdle();
  }

  /**
   * Fails the batch that could not be written and every event queued behind it, which may
   * follow from it (an answer behind its request), and hands them back newest first.
   */
  private failEverythingQueued(cause: unknown): void {
    const failed = [...this.unsettled];
    this.unsettled.clear();
    this.failingSince = undefined;

    this.options.onRollback?.(failed.map((submission) => submission.event).reverse());
    const reason = cause instanceof Error ? cause.message : String(cause);
    for (const submission of failed) {
      submission.reject(
        new ElicitationError('STORE_UNAVAILABLE', `the event store did not take ${submission.event.type} within ${this.retry.giveUpAfterMs} ms (${reason}); the command was not applied, so retry it once the store is back`, {}, { cause }),
      );
    }
    this.wakeIfIdle();
  }

  private wakeIfIdle(): void {
    if (this.unsettled.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Carries an asynchronous store's pending append out of the synchronous path. */
class AsyncAppend {
  constructor(readonly stored: Promise<readonly DomainEvent[]>) {}
}
