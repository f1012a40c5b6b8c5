/**
 * Size and depth limits for the JSON that agents send: schemas, content and metadata.
 * A value past a limit is refused before it reaches a validator, a machine or the store.
 */
import type { ValidationIssue } from '../runtime/errors.js';

export interface JsonLimit {
  /** Maximum length of the value serialized as JSON, in UTF-16 code units. */
  readonly maxLength: number;
  /** Maximum nesting of objects and arrays; a scalar has depth 0. */
  readonly maxDepth: number;
}

export interface InputLimits {
  readonly schema: JsonLimit;
  readonly content: JsonLimit;
  readonly metadata: JsonLimit;
}

export const defaultInputLimits: InputLimits = {
  schema: { maxLength: 64 * 1024, maxDepth: 16 },
  content: { maxLength: 1024 * 1024, maxDepth: 32 },
  metadata: { maxLength: 16 * 1024, maxDepth: 8 },
};

/**
 * Serializes `value` as JSON if it fits `limit`, or tells why it does not. Depth is checked
 * first, so a value nested past the limit is never serialized.
 */
export function serializeWithinLimit(field: string, value: unknown, limit: JsonLimit): { readonly text: string } | { readonly issue: ValidationIssue } {
  if (nestsDeeperThan(value, limit.maxDepth)) return { issue: { path: `/${field}`, message: `nests deeper than ${limit.maxDepth} levels` } };

  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    return { issue: { path: `/${field}`, message: `is not JSON: ${(error as Error).message}` } };
  }
  if (text === undefined) return { issue: { path: `/${field}`, message: 'is not a JSON value' } };
  if (text.length > limit.maxLength) return { issue: { path: `/${field}`, message: `is ${text.length} characters as JSON, more than ${limit.maxLength}` } };
  return { text };
}

/**
 * Tells whether `value` nests objects and arrays more than `maxDepth` levels deep. The
 * recursion stops one level past `maxDepth`. Under a host limit so large that the stack runs
 * out first, the value counts as too deep, because `JSON.stringify` would fail on it too.
 */
function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  try {
    return exceedsDepth(value, maxDepth);
  } catch (error) {
    if (error instanceof RangeError) return true;
    throw error;
  }
}

/** Recursive, so that it allocates no (value, depth) pair and no `Object.values` array per node. */
function exceedsDepth(value: unknown, levelsLeft: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levelsLeft < 1) return true;

  if (Array.isArray(value)) {
    for (const item of value as unknown[]) if (exceedsDepth(item, levelsLeft - 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (Object.hasOwn(record, key) && exceedsDepth(record[key], levelsLeft - 1)) return true;
  }
  return false;
}
