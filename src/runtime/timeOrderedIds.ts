/**
 * Ids for elicitations, events and commands: UUID version 7, so ids sort roughly by
 * creation time and land at the end of the store's indexes instead of at random places.
 * The random bits come from a pool refilled 4 KiB at a time, because the `uuid` package
 * asks the operating system for 16 bytes per id, which cost about a tenth of a lifecycle.
 * `uuid` lays out the bytes, and the text is written into one reused buffer, because its
 * string building allocated 400 to 1,000 bytes per id and a lifecycle makes five ids.
 */
import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

const pool = new Uint8Array(4096);
let offset = pool.length;

/** The random bytes of the next id, copied from the pool. */
const random = new Uint8Array(16);
const options = { random };
/** The 16 bytes of the next id, as `uuid` lays them out. */
const bytes = new Uint8Array(16);
/** The text being written: 32 hex digits with dashes after the 8th, 12th, 16th and 20th. */
const text = Buffer.alloc(36, '-', 'latin1');
const hexDigits = Buffer.from('0123456789abcdef', 'latin1');
/** The index in `text` of the first of each byte's two hex digits. */
const digitPositions = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** Returns a new UUID v7, in lower case. */
export function newTimeOrderedId(): string {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  for (let index = 0; index < 16; index++) random[index] = pool[offset + index]!;
  offset += 16;

  uuidv7(options, bytes);
  return uuidText(bytes);
}

/** Returns the first 16 bytes of `source` as the 36-character text of a UUID, in lower case. */
export function uuidText(source: Uint8Array): string {
  for (let index = 0; index < 16; index++) {
    const byte = source[index]!;
    const position = digitPositions[index]!;
    text[position] = hexDigits[byte >> 4]!;
    text[position + 1] = hexDigits[byte & 15]!;
  }
  return text.toString('latin1', 0, 36);
}
