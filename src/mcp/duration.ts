/**
 * Durations as people type them on a command line: `90s`, `30m`, `12h`, `7d`, or a sum of
 * such parts such as `1h30m`. Units are s, m, h and d; the value is in milliseconds.
 */

const unitMs: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const durationPattern = /^(?:\d+[smhd])+$/;
const partPattern = /(\d+)([smhd])/g;

/** Parses `text` into milliseconds, or returns `undefined` when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!durationPattern.test(text)) return undefined;

  let total = 0;
  for (const [, amount, unit] of text.matchAll(partPattern)) total += Number(amount) * unitMs[unit!]!;
  return Number.isSafeInteger(total) ? total : undefined;
}
