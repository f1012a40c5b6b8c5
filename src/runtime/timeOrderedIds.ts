/**
 * Ids for elicitations, events and commands: UUID version 7, so ids sort roughly by
 * creation time and land at the end of the store's indexes instead of at random places.
 * The random bits come from a pool refilled 4 KiB at a time, because the `uuid` package
 * asks the operating system for 16 bytes per id, which cost about a tenth of a lifecycle.
 */
import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

const pool = new Uint8Array(4096);
let offset = pool.length;

function randomBytes16(): Uint8Array {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + 16);
  offset += 16;
  return bytes;
}

/** A new UUID v7. */
export function newTimeOrderedId(): string {
  return uuidv7({ random: randomBytes16() });
}
