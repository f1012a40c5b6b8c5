/**
 * The runtime's write path: events go in through an RxJS Observable, are group-committed to
 * the store, and come out on `committed$` with their positions, in log order. Each
 * `append` resolves once its event is durable.
 *
 * When the store fails, the batch is retried with exponential backoff while later events
 * wait behind it, so the log keeps its order. If the store stays down past `giveUpAfterMs`,
 * that batch and every event queued behind it fail with `STORE_UNAVAILABLE` together, and
 * `onRollback` hands them back so the runtime can undo them: a later event never reaches
 * the log without the events it follows from.
 *
 * An event in flight is a `Submission`, and a promise of its outcome is made only for a caller
 * that asks for one. Most terminal events, such as the expiries of a burst of deadlines, have
 * no such caller. A promise with its two resolving functions would stay alive for as long as
 * the write takes, so the garbage collector would copy it from one generation to the next.
 */
import { Observable, type Subscriber } from 'rxjs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ElicitationError } from './errors.js';
import { FifoQueue } from './fifoQueue.js';
import { groupCommit } from './groupCommit.js';
import type { DomainEvent, UnstoredEvent } from '../store/domainEvent.js';
import type { EventStore } from '../store/eventStore.js';

/** One event on its way to the store, from `submit` until it is stored or has failed for good. */
export class Submission {
  /** The event as stored, once it is. */
  stored: DomainEvent | undefined = undefined;
  /** Set when it failed for good: the error its promise rejects with. */
  failure: { readonly error: unknown } | undefined = undefined;
  /** The promise made by `EventLog.whenDurable`, if anyone asked for one, and its resolving functions. */
  promise: Promise<DomainEvent> | undefined = undefined;
  resolve: ((event: DomainEvent) => void) | undefined = undefined;
  reject: ((error: unknown) => void) | undefined = undefined;

  constructor(readonly event: UnstoredEvent) {}
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
  /** Called with each submission once its event is stored, before `committed$` emits it. */
  readonly onStored?: (submission: Submission) => void;
}

export class EventLog {
  /**
   * The one subscriber of the submission stream, which runs it into group commit. With one
   * subscriber, a plain Observable does what a Subject would. In the CommonJS build of RxJS
   * 7.8 that Node loads, `Subject.next` allocates a closure and an iterator per value.
   */
  private submissions!: Subscriber<Submission>;
  /**
   * The subscribers of `committed$`, a multicast like an RxJS Subject without its allocation
   * per value (see `submissions`). The array is replaced, never changed, when one comes or
   * goes, so an emission in progress reaches those subscribed when it began.
   */
  private committedSubscribers: readonly Subscriber<DomainEvent>[] = [];
  private readonly retry: Required<StoreRetryOptions>;
  /** Submissions not yet written or failed, in the order they came. */
  private readonly unsettled = new FifoQueue<Submission>();
  private failingSince: number | undefined;
  private idleWaiters: (() => void)[] = [];

  /** Every durable event, in position order. */
  readonly committed$: Observable<DomainEvent> = new Observable<DomainEvent>((subscriber) => {
    this.committedSubscribers = [...this.committedSubscribers, subscriber];
    return () => {
      this.committedSubscribers = this.committedSubscribers.filter((other) => other !== subscriber);
    };
  });

  constructor(private readonly store: EventStore, private readonly options: EventLogOptions = {}) {
    this.retry = { initialDelayMs: 5, maxDelayMs: 500, giveUpAfterMs: 5_000, ...options.retry };
    new Observable<Submission>((subscriber) => {
      this.submissions = subscriber;
    })
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
    return this.whenDurable(this.submit(event));
  }

  /** Queues `event` for the next batch, like `append`, without making a promise of its outcome. */
  submit(event: UnstoredEvent): Submission {
    const submission = new Submission(event);
    this.unsettled.push(submission);
    this.submissions.next(submission);
    return submission;
  }

  /** Resolves with the stored event once `submission` is durable, or rejects once it has failed for good. */
  whenDurable(submission: Submission): Promise<DomainEvent> {
    if (submission.stored !== undefined) return Promise.resolve(submission.stored);
    if (submission.failure !== undefined) return Promise.reject(submission.failure.error);
    submission.promise ??= new Promise<DomainEvent>((resolve, reject) => {
      submission.resolve = resolve;
      submission.reject = reject;
    });
    return submission.promise;
  }

  /** Resolves once every event appended so far has been written or has failed. */
  flush(): Promise<void> {
    if (this.unsettled.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private writeBatch(batch: readonly Submission[]): void | Promise<void> {
    // Submissions failed together with an earlier batch are already settled; skip them.
    const live = batch.every(isUnsettled) ? batch : batch.filter(isUnsettled);
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
      const submission = batch[index]!;
      // Batches are stored one at a time in the order their events came, so this is the oldest unsettled.
      this.unsettled.shift();
      submission.stored = event;
      this.options.onStored?.(submission);
      const subscribers = this.committedSubscribers;
      for (let next = 0; next < subscribers.length; next++) subscribers[next]!.next(event);
      submission.resolve?.(event);
    }
    this.wakeIfIdle();
  }

  /**
   * Fails the batch that could not be written and every event queued behind it, which may
   * follow from it (an answer behind its request), and hands them back newest first.
   */
  private failEverythingQueued(cause: unknown): void {
    const failed = this.unsettled.drain();
    this.failingSince = undefined;

    this.options.onRollback?.(failed.map((submission) => submission.event).reverse());
    const reason = cause instanceof Error ? cause.message : String(cause);
    for (const submission of failed) {
      const error = new ElicitationError('STORE_UNAVAILABLE', `the event store did not take ${submission.event.type} within ${this.retry.giveUpAfterMs} ms (${reason}); the command was not applied, so retry it once the store is back`, {}, { cause });
      submission.failure = { error };
      submission.reject?.(error);
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

/** Neither stored nor failed yet. */
function isUnsettled(submission: Submission): boolean {
  return submission.stored === undefined && submission.failure === undefined;
}

/** Carries an asynchronous store's pending append out of the synchronous path. */
class AsyncAppend {
  constructor(readonly stored: Promise<readonly DomainEvent[]>) {}
}
