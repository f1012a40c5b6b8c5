/**
 * Unit tests of the time-ordered ids: each is a UUID version 7 whose text spells its bytes,
 * carries the time it was made, and differs from every other.
 */
import { validate, version } from 'uuid';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newTimeOrderedId, uuidText } from '../../src/runtime/timeOrderedIds.js';

/** Returns the epoch milliseconds in the first 48 bits of a UUID v7. */
function timeOf(id: string): number {
  return Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

describe('time-ordered ids', () => {
  it('ids are valid version 7', () => {
    const ids = Array.from({ length: 1_000 }, () => newTimeOrderedId());

    expect(ids.every((id) => validate(id))).toBe(true);
    expect(ids.every((id) => version(id) === 7)).toBe(true);
  });

  it('text spells any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const digits = Buffer.from(bytes).toString('hex');
        const expected = [digits.slice(0, 8), digits.slice(8, 12), digits.slice(12, 16), digits.slice(16, 20), digits.slice(20)].join('-');
        expect(uuidText(bytes)).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('ids carry their creation time', () => {
    const before = Date.now();
    const id = newTimeOrderedId();
    const after = Date.now();

    expect(timeOf(id)).toBeGreaterThanOrEqual(before);
    expect(timeOf(id)).toBeLessThanOrEqual(after);
  });

  it('ids are distinct', () => {
    const ids = Array.from({ length: 50_000 }, () => newTimeOrderedId());

    expect(new Set(ids).size).toBe(ids.length);
  });
});
