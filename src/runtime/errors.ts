/**
 * The one error type that every refusal of the runtime takes. Callers branch on `code`,
 * which is stable across versions, rather than on `instanceof`, so that two copies of
 * the package loaded side by side still agree.
 */

/** Stable codes, in the order the runtime checks them where more than one applies. */
export const errorCodes = [
  'INVALID_REQUEST',
  'INVALID_CONTENT',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'ALREADY_SETTLED',
  'EXPIRED',
  'RATE_LIMITED',
  'OVERLOADED',
  'STORE_UNAVAILABLE',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** What the refusal was about; every field is optional because not every refusal has all. */
export interface ErrorDetails {
  readonly elicitationId?: string;
  readonly agent?: string;
  readonly command?: string;
  /** For `RATE_LIMITED`: milliseconds until the agent's bucket holds a token again. */
  readonly retryAfterMs?: number;
  /** For `INVALID_CONTENT` and `INVALID_REQUEST`: each failing field and why. */
  readonly issues?: readonly ValidationIssue[];
}

/** One failing field: a JSON Pointer into the checked value and the rule it broke. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * A refusal by the runtime. The message names the elicitation, the agent and the rule.
 *
 * @example
 * try { await runtime.accept({ id, agent: 'bob', content }) }
 * catch (error) { if (isElicitationError(error, 'EXPIRED')) notifyTooLate(id) }
 */
export class ElicitationError extends Error {
  override readonly name = 'ElicitationError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
    this.details = details;
  }
}

/** Tells whether `error` is a refusal of the runtime, optionally with the given code. */
export function isElicitationError(error: unknown, code?: ErrorCode): error is ElicitationError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: unknown; code?: unknown };
  if (candidate.name !== 'ElicitationError') return false;
  if (typeof candidate.code !== 'string' || !(errorCodes as readonly string[]).includes(candidate.code)) return false;
  return code === undefined || candidate.code === code;
}
