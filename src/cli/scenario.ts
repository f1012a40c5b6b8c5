/**
 * Scenario files: one JSON object a line, checked whole before anything runs. The check
 * covers the file's shape (JSON, known ops, `at` order, field types, where `config` goes,
 * which refs exist); what the runtime judges, such as schemas and timeouts, is left to it.
 */
import { securityLevels, type SecurityLevel } from '../security/securityPolicy.js';
import type { BucketLimit } from '../security/rateLimiter.js';

export interface ScenarioConfig {
  readonly line: number;
  readonly op: 'config';
  readonly security?: SecurityLevel;
  readonly rateLimit?: { readonly requests?: Partial<BucketLimit>; readonly responses?: Partial<BucketLimit> };
}

interface TimedLine {
  readonly line: number;
  /** Milliseconds from the scenario's start. */
  readonly at: number;
  readonly ref: string;
}

export interface RequestLine extends TimedLine {
  readonly op: 'request';
  readonly from: string;
  readonly to: string;
  readonly message: string;
  readonly schema: Record<string, unknown>;
  readonly timeoutMs: number;
  readonly metadata?: Record<string, unknown>;
}

export interface ResponderLine extends TimedLine {
  readonly op: 'accept' | 'decline' | 'cancel';
  readonly agent: string;
  readonly content?: Record<string, unknown>;
  /** Sent as it stands instead of the real token. */
  readonly token?: string;
  /** The real token of another ref, sent instead of this ref's. */
  readonly tokenOf?: string;
}

export interface WithdrawLine extends TimedLine {
  readonly op: 'withdraw';
  readonly agent: string;
}

export type CommandLine = RequestLine | ResponderLine | WithdrawLine;

export interface Scenario {
  readonly config: ScenarioConfig | undefined;
  readonly commands: readonly CommandLine[];
}

/** A line of the file that breaks its shape; the run stops before anything runs. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(readonly line: number, readonly field: string | undefined, problem: string) {
    super(`line ${line}${field === undefined ? '' : `, field "${field}"`}: ${problem}`);
  }
}

type FieldType = 'string' | 'number' | 'object';

const requiredFields: Record<CommandLine['op'], Record<string, FieldType>> = {
  request: { ref: 'string', from: 'string', to: 'string', message: 'string', schema: 'object', timeoutMs: 'number' },
  accept: { ref: 'string', agent: 'string', content: 'object' },
  decline: { ref: 'string', agent: 'string' },
  cancel: { ref: 'string', agent: 'string' },
  withdraw: { ref: 'string', agent: 'string' },
};

const optionalFields: Record<CommandLine['op'], Record<string, FieldType>> = {
  request: { metadata: 'object' },
  accept: { token: 'string', tokenOf: 'string' },
  decline: { token: 'string', tokenOf: 'string' },
  cancel: { token: 'string', tokenOf: 'string' },
  withdraw: {},
};

const ops = ['config', ...Object.keys(requiredFields)];

/**
 * Parses and checks `text`. `knownRefs` holds the refs of requests already in the store
 * when the run continues one. Throws `ScenarioError` at the first bad line.
 */
export function parseScenario(text: string, knownRefs: ReadonlySet<string> = new Set()): Scenario {
  const refs = new Set(knownRefs);
  const commands: CommandLine[] = [];
  let config: ScenarioConfig | undefined;
  let lastAt = 0;
  let sawLine = false;

  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const source = lines[index]!.trim();
    if (source === '') continue;

    const value = parseJsonObject(source, lineNumber);
    const op = value.op;
    if (typeof op !== 'string' || !ops.includes(op)) {
      throw new ScenarioError(lineNumber, 'op', `${describe(op)} is not a known op; expected one of ${ops.join(', ')}`);
    }

    if (op === 'config') {
      if (sawLine) throw new ScenarioError(lineNumber, 'op', 'config may only be the first line of the scenario');
      config = checkConfig(value, lineNumber);
      sawLine = true;
      continue;
    }
    sawLine = true;

    const at = value.at;
    if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) {
      throw new ScenarioError(lineNumber, 'at', `${describe(at)} is not a non-negative number of milliseconds`);
    }
    if (at < lastAt) throw new ScenarioError(lineNumber, 'at', `${at} comes after ${lastAt}; at may never decrease`);
    lastAt = at;

    const command = checkCommand(op as CommandLine['op'], value, lineNumber, refs);
    if (command.op === 'request') refs.add(command.ref);
    commands.push(command);
  }
  return { config, commands };
}

function parseJsonObject(source: string, lineNumber: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new ScenarioError(lineNumber, undefined, `not valid JSON (${(error as Error).message}); each line must be one JSON object`);
  }
  if (!isObject(value)) throw new ScenarioError(lineNumber, undefined, `${describe(value)} is not a JSON object; each line must be one JSON object`);
  return value;
}

function checkCommand(op: CommandLine['op'], value: Record<string, unknown>, lineNumber: number, refs: ReadonlySet<string>): CommandLine {
  for (const [field, type] of Object.entries(requiredFields[op])) {
    if (!(field in value)) throw new ScenarioError(lineNumber, field, `missing; a ${op} line needs ${type === 'object' ? 'an object' : `a ${type}`} here`);
    checkType(value[field], type, field, lineNumber);
  }
  for (const [field, type] of Object.entries(optionalFields[op])) {
    if (field in value) checkType(value[field], type, field, lineNumber);
  }

  if (op !== 'request' && !refs.has(value.ref as string)) {
    throw new ScenarioError(lineNumber, 'ref', `"${String(value.ref)}" is not named by an earlier request line or a request in the store`);
  }
  if (typeof value.tokenOf === 'string' && !refs.has(value.tokenOf)) {
    throw new ScenarioError(lineNumber, 'tokenOf', `"${value.tokenOf}" is not named by an earlier request line or a request in the store`);
  }
  if ('token' in value && 'tokenOf' in value) throw new ScenarioError(lineNumber, 'tokenOf', 'a line may carry token or tokenOf, not both');

  return { ...value, line: lineNumber, op } as unknown as CommandLine;
}

function checkConfig(value: Record<string, unknown>, lineNumber: number): ScenarioConfig {
  const security = value.security;
  if (security !== undefined && !securityLevels.includes(security as SecurityLevel)) {
    throw new ScenarioError(lineNumber, 'security', `${describe(security)} is not a security level; expected one of ${securityLevels.join(', ')}`);
  }

  const rateLimit = value.rateLimit;
  if (rateLimit !== undefined) {
    checkType(rateLimit, 'object', 'rateLimit', lineNumber);
    for (const kind of ['requests', 'responses'] as const) {
      const bucket = (rateLimit as Record<string, unknown>)[kind];
      if (bucket === undefined) continue;
      checkType(bucket, 'object', `rateLimit.${kind}`, lineNumber);
      for (const field of ['perMinute', 'burst'] as const) {
        const limit = (bucket as Record<string, unknown>)[field];
        if (limit !== undefined && (typeof limit !== 'number' || !Number.isFinite(limit) || limit < 0)) {
          throw new ScenarioError(lineNumber, `rateLimit.${kind}.${field}`, `${describe(limit)} is not a non-negative number`);
        }
      }
    }
  }
  return { line: lineNumber, op: 'config', ...(security === undefined ? {} : { security: security as SecurityLevel }), ...(rateLimit === undefined ? {} : { rateLimit: rateLimit as ScenarioConfig['rateLimit'] & object }) };
}

function checkType(value: unknown, type: FieldType, field: string, lineNumber: number): void {
  // A JSON number too large for a double parses as Infinity; it is still a number, and the
  // runtime judges its range.
  const matches = type === 'object' ? isObject(value) : typeof value === type;
  if (!matches) throw new ScenarioError(lineNumber, field, `${describe(value)} is not ${type === 'object' ? 'a JSON object' : `a ${type}`}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
