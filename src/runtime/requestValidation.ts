/**
 * Field checks of `request` and of the commands, before anything reaches a machine.
 * Each failure is an `INVALID_REQUEST` that names the field, what it was and what is expected.
 */
import { serializeWithinLimit, type JsonLimit } from '../security/jsonLimits.js';
import { ElicitationError } from './errors.js';

/** A timeout is an integer number of milliseconds from 1 ms to 365 days. */
export const maxTimeoutMs = 365 * 24 * 60 * 60 * 1000;
export const maxAgentIdLength = 256;
export const maxMessageLength = 64 * 1024;

// Printable characters only: agent ids end up in logs, messages and HTTP headers.
const agentIdPattern = /^[^\u0000-\u001f\u007f]+$/u;

export function checkAgentId(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxAgentIdLength || !agentIdPattern.test(value)) {
    throw invalid(field, value, `a non-empty string of at most ${maxAgentIdLength} printable characters`);
  }
  return value;
}

export function checkMessage(value: unknown): string {
  if (typeof value !== 'string' || value.length > maxMessageLength) {
    throw invalid('message', value, `a string of at most ${maxMessageLength} characters`);
  }
  return value;
}

export function checkTimeoutMs(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > maxTimeoutMs) {
    throw invalid('timeoutMs', value, `an integer number of milliseconds from 1 to ${maxTimeoutMs} (365 days)`);
  }
  return value;
}

export function checkPlainObject(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, value, 'a JSON object');
  return value as Record<string, unknown>;
}

export function checkElicitationId(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 128) throw invalid('id', value, 'an elicitation id string');
  return value;
}

/** Serializes `value` as JSON, or throws `INVALID_REQUEST` when it is not JSON or passes `limit`. */
export function serializeJson(field: string, value: unknown, limit: JsonLimit): string {
  const serialized = serializeWithinLimit(field, value, limit);
  if ('text' in serialized) return serialized.text;
  throw new ElicitationError('INVALID_REQUEST', `${field} ${serialized.issue.message}; send a smaller JSON value`, { issues: [serialized.issue] });
}

/** Copies `value` through its JSON text: later changes by the caller do not reach the copy, and only JSON remains. */
export function copyJson<T>(field: string, value: T, limit: JsonLimit): T {
  return JSON.parse(serializeJson(field, value, limit)) as T;
}

function invalid(field: string, value: unknown, expected: string): ElicitationError {
  const shown = typeof value === 'string' && value.length > 80 ? `a string of ${value.length} characters` : JSON.stringify(value) ?? String(value);
  return new ElicitationError('INVALID_REQUEST', `${field} is ${shown}; expected ${expected}`, { issues: [{ path: `/${field}`, message: `expected ${expected}` }] });
}
