/**
 * An RxJS operator for group commit: it buffers what arrives while the store is busy and
 * writes it as one batch when the store is free. Idle, a lone event is written on the next
 * turn of the event loop with no fixed wait; under load, batches grow with the backlog.
 * Batches are written one at a time, in arrival order, so the log keeps that order.
 */
import { Observable, type OperatorFunction } from 'rxjs';

export type BatchOutcome<T, R> =
  | { readonly batch: readonly T[]; readonly result: R }
  | { readonly batch: readonly T[]; readonly error: unknown };

export interface GroupCommitOptions {
  /** The largest batch written in one call; a longer backlog is written in several. */
  readonly maxBatchSize: number;
  /**
   * Runs the next write once the writer is idle; `setImmediate` by default, so one event-loop
   * turn fills a batch. What arrived during an asynchronous write is written as soon as that
   * write ends, without this wait, because it has already waited for one write.
   */
  readonly schedule?: (drain: () => void) => void;
}

/**
 * Writes the source's values in batches through `write`, and emits each batch with what the
 * write returned or threw. A failed write does not end the stream; later batches still go.
 */
export function groupCommit<T, R>(write: (batch: readonly T[]) => R | PromiseLike<R>, options: GroupCommitOptions): OperatorFunction<T, BatchOutcome<T, R>> {
  const schedule = options.schedule ?? ((drain: () => void) => void setImmediate(drain));

  return (source) =>
    new Observable<BatchOutcome<T, R>>((subscriber) => {
      let buffer: T[] = [];
      let busy = false;
      let sourceComplete = false;

      const finishIfDone = () => {
        if (sourceComplete && !busy && buffer.length === 0) subscriber.complete();
      };

      const drain = (): void => {
        while (buffer.length > 0) {
          const batch = buffer.length <= options.maxBatchSize ? buffer : buffer.slice(0, options.maxBatchSize);
          buffer = batch === buffer ? [] : buffer.slice(options.maxBatchSize);

          let written: R | PromiseLike<R>;
          try {
            written = write(batch);
          } catch (error) {
            subscriber.next({ batch, error });
            continue;
          }

          if (isPromiseLike(written)) {
            // Everything that arrives during this write waits for it and goes in the next batch.
            // That batch starts at once, because the write just done gave it time to fill, and
            // another event-loop turn would add its wait to every event in it.
            const writeDone = () => {
              if (buffer.length > 0) drain();
              else {
                busy = false;
                finishIfDone();
              }
            };
            written.then(
              (result) => {
                subscriber.next({ batch, result });
                writeDone();
              },
              (error: unknown) => {
                subscriber.next({ batch, error });
                writeDone();
              },
            );
            return;
          }
          subscriber.next({ batch, result: written });
        }
        busy = false;
        finishIfDone();
      };

      const startDrain = () => {
        busy = true;
        schedule(drain);
      };

      const subscription = source.subscribe({
        next: (value) => {
          buffer.push(value);
          if (!busy) startDrain();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceComplete = true;
          finishIfDone();
        },
      });
      return () => subscription.unsubscribe();
    });
}

/** Any thenable counts, including a promise from another realm. */
function isPromiseLike<R>(value: R | PromiseLike<R>): value is PromiseLike<R> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
