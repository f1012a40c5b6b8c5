/**
 * Unit tests of the timer queue: order by due time then by the order timers were set,
 * through adds, clears from anywhere in the heap, and takes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimerQueue, type TimerEntry } from '../../src/runtime/timerQueue.js';

const noop = () => undefined;

/** Takes every timer due at or before `time`, in the order the queue gives them. */
function takeAll(queue: TimerQueue, time = Number.POSITIVE_INFINITY): TimerEntry[] {
  const taken: TimerEntry[] = [];
  for (let entry = queue.takeDue(time); entry; entry = queue.takeDue(time)) taken.push(entry);
  return taken;
}

describe('timer queue order', () => {
  it('earliest due comes first', () => {
    const queue = new TimerQueue();
    for (const due of [30, 10, 50, 20, 40]) queue.add(due, noop);

    expect(takeAll(queue).map((entry) => entry.due)).toEqual([10, 20, 30, 40, 50]);
  });

  it('equal due keeps insertion order', () => {
    const queue = new TimerQueue();
    const labels: string[] = [];
    for (const label of ['a', 'b', 'c', 'd', 'e']) queue.add(100, () => labels.push(label));

    for (const entry of takeAll(queue)) entry.callback(entry.key);

    expect(labels).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('ties sit between other dues', () => {
    const queue = new TimerQueue();
    const first = queue.add(20, noop);
    queue.add(30, noop);
    const second = queue.add(20, noop);
    queue.add(10, noop);
    const third = queue.add(20, noop);

    const taken = takeAll(queue);

    expect(taken.map((entry) => entry.due)).toEqual([10, 20, 20, 20, 30]);
    expect(taken.slice(1, 4)).toEqual([first, second, third]);
  });

  it('peekDue returns earliest due', () => {
    const queue = new TimerQueue();
    expect(queue.peekDue()).toBeUndefined();

    queue.add(30, noop);
    queue.add(10, noop);

    expect(queue.peekDue()).toBe(10);
    expect(queue.size).toBe(2);
  });

  it('takeDue leaves later timers', () => {
    const queue = new TimerQueue();
    queue.add(10, noop);
    queue.add(20, noop);

    expect(takeAll(queue, 15).map((entry) => entry.due)).toEqual([10]);
    expect(queue.takeDue(19)).toBeUndefined();
    expect(queue.size).toBe(1);
    expect(queue.takeDue(20)?.due).toBe(20);
  });

  it('taken entry is marked detached', () => {
    const queue = new TimerQueue();
    queue.add(10, noop);

    const entry = queue.takeDue(10);

    expect(entry?.index).toBe(-1);
    expect(queue.size).toBe(0);
  });
});

describe('timer queue clear', () => {
  it('clearing from middle keeps order', () => {
    const queue = new TimerQueue();
    const entries = [50, 10, 40, 20, 70, 30, 60].map((due) => queue.add(due, noop));

    queue.clear(entries[3]!);
    queue.clear(entries[0]!);

    expect(takeAll(queue).map((entry) => entry.due)).toEqual([10, 30, 40, 60, 70]);
  });

  it('clearing the last entry empties queue', () => {
    const queue = new TimerQueue();
    const entry = queue.add(10, noop);

    queue.clear(entry);

    expect(queue.size).toBe(0);
    expect(queue.peekDue()).toBeUndefined();
    expect(entry.index).toBe(-1);
  });

  it('second clear changes nothing', () => {
    const queue = new TimerQueue();
    const cleared = queue.add(10, noop);
    queue.add(20, noop);
    queue.add(30, noop);
    queue.clear(cleared);

    queue.clear(cleared);

    expect(queue.size).toBe(2);
    expect(takeAll(queue).map((entry) => entry.due)).toEqual([20, 30]);
  });

  it('clearing a taken entry changes nothing', () => {
    const queue = new TimerQueue();
    queue.add(10, noop);
    queue.add(20, noop);
    const taken = queue.takeDue(10)!;

    queue.clear(taken);

    expect(queue.size).toBe(1);
    expect(queue.peekDue()).toBe(20);
  });

  it("another queue's entry is ignored", () => {
    const queue = new TimerQueue();
    const other = new TimerQueue();
    queue.add(10, noop);
    queue.add(20, noop);
    const foreign = other.add(5, noop);

    queue.clear(foreign);

    expect(queue.size).toBe(2);
    expect(other.size).toBe(1);
    expect(takeAll(queue).map((entry) => entry.due)).toEqual([10, 20]);
  });

  it('clear moving last entry upward', () => {
    // Found by the property below: the entry moved into the cleared slot can be earlier
    // than that slot's parent, so clearing must sift it up as well as down.
    const queue = new TimerQueue();
    const entries = [0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0].map((due) => queue.add(due, noop));
    const expected = entries.filter((_, index) => index !== 5).sort((a, b) => a.due - b.due);

    queue.clear(entries[5]!);

    expect(takeAll(queue)).toEqual(expected);
  });

  it('random operations match sorted model', () => {
    type Operation =
      | { readonly kind: 'add'; readonly due: number }
      | { readonly kind: 'clear'; readonly pick: number }
      | { readonly kind: 'take'; readonly time: number };

    // A small due range makes ties common, so the insertion-order rule is exercised.
    const due = fc.integer({ min: 0, max: 20 });
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), due }),
      fc.record({ kind: fc.constant('clear' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('take' as const), time: due }),
    );

    fc.assert(
      // A filled heap first, so clears hit deep slots and not only a heap of one or two.
      fc.property(fc.array(due, { maxLength: 60 }), fc.array(operation, { maxLength: 200 }), (initialDues: number[], operations: Operation[]) => {
        const queue = new TimerQueue();
        // The model: live entries in (due, order set) order, kept by a stable sort.
        let model: TimerEntry[] = initialDues.map((initialDue) => queue.add(initialDue, noop)).sort((a, b) => a.due - b.due);

        for (const step of operations) {
          if (step.kind === 'add') {
            model.push(queue.add(step.due, noop));
            model = [...model].sort((a, b) => a.due - b.due);
          } else if (step.kind === 'clear' && model.length > 0) {
            const entry = model[step.pick % model.length]!;
            queue.clear(entry);
            model = model.filter((candidate) => candidate !== entry);
          } else if (step.kind === 'take') {
            const expected = model[0] !== undefined && model[0].due <= step.time ? model.shift() : undefined;
            expect(queue.takeDue(step.time)).toBe(expected);
          }
          expect(queue.size).toBe(model.length);
          expect(queue.peekDue()).toBe(model[0]?.due);
        }

        expect(takeAll(queue)).toEqual(model);
      }),
      { numRuns: 500 },
    );
  });
});
