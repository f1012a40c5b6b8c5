/**
 * Unit tests of the event log's FIFO queue: random pushes, shifts and drains, checked
 * against a plain array, across the ring's wrap-around and its growth.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FifoQueue } from '../../src/runtime/fifoQueue.js';

type Operation = { readonly kind: 'push'; readonly count: number } | { readonly kind: 'shift'; readonly count: number } | { readonly kind: 'drain' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), count: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('shift' as const), count: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('drain' as const) }),
);

describe('FIFO queue', () => {
  it('gives items back in the order they came', () => {
    const queue = new FifoQueue<number>();
    for (let item = 1; item <= 5; item++) queue.push(item);

    expect([queue.shift(), queue.shift()]).toEqual([1, 2]);
    expect(queue.size).toBe(3);
    expect(queue.drain()).toEqual([3, 4, 5]);
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });

  it('matches an array model for any operations', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const queue = new FifoQueue<number>();
        const model: number[] = [];
        let next = 0;
        for (const step of operations) {
          if (step.kind === 'push') {
            for (let pushed = 0; pushed < step.count; pushed++, next++) {
              queue.push(next);
              model.push(next);
            }
          } else if (step.kind === 'shift') {
            for (let shifted = 0; shifted < step.count; shifted++) expect(queue.shift()).toBe(model.shift());
          } else {
            expect(queue.drain()).toEqual(model.splice(0));
          }
          expect(queue.size).toBe(model.length);
        }
      }),
    );
  });
});
