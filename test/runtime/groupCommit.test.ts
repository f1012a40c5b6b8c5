/**
 * Unit tests of the group-commit operator: which values share a batch, how batches follow
 * one another while a write is in flight, and how a failed write is reported.
 */
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { groupCommit, type BatchOutcome, type GroupCommitOptions } from '../../src/runtime/groupCommit.js';

/** Resolves after the event loop has run the `setImmediate` callbacks queued before it. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A write whose promise the test settles by hand. */
interface PendingWrite {
  readonly batch: readonly number[];
  readonly resolve: (result: string) => void;
  readonly reject: (error: unknown) => void;
}

function startCommitting<R>(write: (batch: readonly number[]) => R | Promise<R>, options: GroupCommitOptions = { maxBatchSize: 100 }) {
  const source = new Subject<number>();
  const outcomes: Array<BatchOutcome<number, R>> = [];
  let completed = false;
  source.pipe(groupCommit(write, options)).subscribe({
    next: (outcome) => outcomes.push(outcome),
    complete: () => {
      completed = true;
    },
  });
  return { source, outcomes, isCompleted: () => completed };
}

function startCommittingAsync(options?: GroupCommitOptions) {
  const writes: PendingWrite[] = [];
  const write = (batch: readonly number[]) =>
    new Promise<string>((resolve, reject) => {
      writes.push({ batch: [...batch], resolve, reject });
    });
  return { writes, ...startCommitting(write, options) };
}

describe('groupCommit batching', () => {
  it('lone value waits one turn', async () => {
    const batches: number[][] = [];
    const { source } = startCommitting((batch) => batches.push([...batch]));

    source.next(1);
    expect(batches).toEqual([]);

    await nextTurn();
    expect(batches).toEqual([[1]]);
  });

  it('same turn values share batch', async () => {
    const batches: number[][] = [];
    const { source, outcomes } = startCommitting((batch) => {
      batches.push([...batch]);
      return batch.length;
    });

    source.next(1);
    source.next(2);
    source.next(3);
    await nextTurn();

    expect(batches).toEqual([[1, 2, 3]]);
    expect(outcomes).toEqual([{ batch: [1, 2, 3], result: 3 }]);
  });

  it('later turn starts new batch', async () => {
    const batches: number[][] = [];
    const { source } = startCommitting((batch) => batches.push([...batch]));

    source.next(1);
    await nextTurn();
    source.next(2);
    await nextTurn();

    expect(batches).toEqual([[1], [2]]);
  });

  it('values during write wait for it', async () => {
    const { source, writes, outcomes } = startCommittingAsync();
    source.next(1);
    await nextTurn();

    source.next(2);
    await nextTurn();
    source.next(3);
    await nextTurn();
    expect(writes.map((write) => write.batch)).toEqual([[1]]);

    writes[0]!.resolve('first');
    await nextTurn();
    await nextTurn();

    expect(writes.map((write) => write.batch)).toEqual([[1], [2, 3]]);
    expect(outcomes).toEqual([{ batch: [1], result: 'first' }]);
  });

  it('order is kept across batches', async () => {
    const { source, writes, outcomes } = startCommittingAsync({ maxBatchSize: 3 });
    const values = Array.from({ length: 20 }, (_, index) => index);
    let resolved = 0;
    const resolveStartedWrites = () => {
      while (resolved < writes.length) writes[resolved++]!.resolve('stored');
    };

    for (let turn = 0; turn < 4; turn++) {
      for (const value of values.slice(turn * 5, turn * 5 + 5)) source.next(value);
      await nextTurn();
      resolveStartedWrites();
      await nextTurn();
    }
    for (let round = 0; round < 20 && outcomes.flatMap((outcome) => outcome.batch).length < values.length; round++) {
      resolveStartedWrites();
      await nextTurn();
    }

    expect(writes.every((write) => write.batch.length <= 3)).toBe(true);
    expect(writes.flatMap((write) => write.batch)).toEqual(values);
    expect(outcomes.flatMap((outcome) => outcome.batch)).toEqual(values);
  });

  it('maxBatchSize splits backlog', async () => {
    const batches: number[][] = [];
    const { source } = startCommitting((batch) => batches.push([...batch]), { maxBatchSize: 2 });

    for (const value of [1, 2, 3, 4, 5]) source.next(value);
    await nextTurn();

    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('split async batches take turns', async () => {
    const { source, writes } = startCommittingAsync({ maxBatchSize: 2 });
    for (const value of [1, 2, 3, 4, 5]) source.next(value);
    await nextTurn();
    expect(writes.map((write) => write.batch)).toEqual([[1, 2]]);

    writes[0]!.resolve('ok');
    await nextTurn();
    await nextTurn();
    expect(writes.map((write) => write.batch)).toEqual([[1, 2], [3, 4]]);

    writes[1]!.resolve('ok');
    await nextTurn();
    await nextTurn();
    expect(writes.map((write) => write.batch)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('custom schedule runs the drain', () => {
    const drains: Array<() => void> = [];
    const batches: number[][] = [];
    const { source } = startCommitting((batch) => batches.push([...batch]), {
      maxBatchSize: 10,
      schedule: (drain) => drains.push(drain),
    });

    source.next(1);
    source.next(2);
    expect(drains).toHaveLength(1);
    expect(batches).toEqual([]);

    drains[0]!();
    expect(batches).toEqual([[1, 2]]);
  });
});

describe('groupCommit after an async write', () => {
  it('queued values go without another schedule', async () => {
    const drains: Array<() => void> = [];
    const { source, writes } = startCommittingAsync({ maxBatchSize: 10, schedule: (drain) => drains.push(drain) });
    source.next(1);
    drains[0]!();
    source.next(2);
    source.next(3);

    writes[0]!.resolve('ok');
    await Promise.resolve();

    expect(drains).toHaveLength(1);
    expect(writes.map((write) => write.batch)).toEqual([[1], [2, 3]]);
  });

  it('idle writer schedules the next value', async () => {
    const drains: Array<() => void> = [];
    const { source, writes } = startCommittingAsync({ maxBatchSize: 10, schedule: (drain) => drains.push(drain) });
    source.next(1);
    drains[0]!();
    writes[0]!.resolve('ok');
    await Promise.resolve();

    source.next(2);

    expect(drains).toHaveLength(2);
    expect(writes).toHaveLength(1);
  });
});

describe('groupCommit failures', () => {
  it('throwing write reports its batch', async () => {
    const { source, outcomes } = startCommitting((batch) => {
      if (batch.includes(2)) throw new Error('disk full');
      return 'stored';
    }, { maxBatchSize: 2 });

    for (const value of [1, 2, 3]) source.next(value);
    await nextTurn();

    expect(outcomes).toHaveLength(2);
    expect(outcomes[0]).toEqual({ batch: [1, 2], error: new Error('disk full') });
    expect(outcomes[1]).toEqual({ batch: [3], result: 'stored' });
  });

  it('rejected write reports its batch', async () => {
    const { source, writes, outcomes } = startCommittingAsync();
    source.next(1);
    await nextTurn();
    source.next(2);

    writes[0]!.reject(new Error('locked'));
    await nextTurn();
    await nextTurn();
    writes[1]!.resolve('stored');
    await nextTurn();

    expect(outcomes).toEqual([
      { batch: [1], error: new Error('locked') },
      { batch: [2], result: 'stored' },
    ]);
  });

  it('stream survives a failed write', async () => {
    const { source, outcomes, isCompleted } = startCommitting((batch) => {
      if (batch[0] === 1) throw new Error('first write failed');
      return 'stored';
    });
    source.next(1);
    await nextTurn();

    source.next(2);
    await nextTurn();

    expect(outcomes.map((outcome) => ('error' in outcome ? 'error' : 'result'))).toEqual(['error', 'result']);
    expect(isCompleted()).toBe(false);
  });
});

describe('groupCommit completion', () => {
  it('completion waits for write in flight', async () => {
    const { source, writes, outcomes, isCompleted } = startCommittingAsync();
    source.next(1);
    await nextTurn();

    source.complete();
    expect(isCompleted()).toBe(false);

    writes[0]!.resolve('stored');
    await nextTurn();
    expect(outcomes).toEqual([{ batch: [1], result: 'stored' }]);
    expect(isCompleted()).toBe(true);
  });

  it('completion flushes buffered values', async () => {
    const batches: number[][] = [];
    const { source, isCompleted } = startCommitting((batch) => batches.push([...batch]));

    source.next(1);
    source.next(2);
    source.complete();
    expect(isCompleted()).toBe(false);

    await nextTurn();
    expect(batches).toEqual([[1, 2]]);
    expect(isCompleted()).toBe(true);
  });
});
