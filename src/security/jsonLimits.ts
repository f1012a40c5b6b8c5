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
 * first, without recursion, so a deeply nested value cannot overflow the stack.
 */
export function serializeWithinLimit(field: string, value: unknown, limit: JsonLimit): { readonly text: string } | { readonly issue: ValidationIssue } {
  const depth = measureDepth(value, limit.maxDepth);
  if (depth === undefined) return { issue: { path: `/${field}`, message: `nests deeper than ${limit.maxDepth} levels` } };

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

/** The nesting depth of `value`, or undefined once it passes `maxDepth`. */
function measureDepth(value: unknown, maxDepth: number): number | undefined {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;

    const childDepth = depth + 1;
    if (childDepth > maxDepth) return undefined;
    deepest = Math.max(deepest, childDepth);
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push([child, childDepth]);
  }
  return deepest;
}
