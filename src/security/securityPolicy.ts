/**
 * The security level and what it switches on. `off`: who may send what is still enforced,
 * but no tokens, no rate limits, no audit. `standard` (the default): plus per-agent rate
 * limits and an audit event for every `UNAUTHORIZED` or `RATE_LIMITED` refusal. `strict`:
 * plus a response token that every responder command must carry.
 */
import { ElicitationError } from '../runtime/errors.js';
import { defaultRateLimits, type BucketLimit, type RateLimits } from './rateLimiter.js';
import { defaultAuditLimits, type AuditLimits } from './refusalAudit.js';
import { ResponseTokens, type ResponseTokenKey } from './responseTokens.js';

export type SecurityLevel = 'off' | 'standard' | 'strict';
export const securityLevels: readonly SecurityLevel[] = ['off', 'standard', 'strict'];

export interface SecurityOptions {
  readonly level?: SecurityLevel;
  /** Signing keys for response tokens; the first signs. Takes precedence over `secret`. */
  readonly keys?: readonly ResponseTokenKey[];
  /** One signing secret; without it or `keys`, `strict` reads `ELICIT_SECRET`. */
  readonly secret?: string;
  readonly rateLimits?: { readonly requests?: Partial<BucketLimit>; readonly responses?: Partial<BucketLimit> };
  /** How many refusals of one agent are written one by one before they are summarized. */
  readonly audit?: { readonly perAgent?: Partial<BucketLimit>; readonly summaryIntervalMs?: number };
}

export interface SecurityPolicy {
  readonly level: SecurityLevel;
  readonly rateLimits: RateLimits | undefined;
  /** Undefined at level `off`, which audits nothing. */
  readonly audit: AuditLimits | undefined;
  readonly tokens: ResponseTokens | undefined;
}

/** Resolves the options into a policy, or throws `INVALID_REQUEST` naming what is missing. */
export function resolveSecurityPolicy(options: SecurityOptions = {}, environment: NodeJS.ProcessEnv = process.env): SecurityPolicy {
  const level = options.level ?? 'standard';
  if (!securityLevels.includes(level)) {
    throw new ElicitationError('INVALID_REQUEST', `security level ${JSON.stringify(level)} is unknown; use one of ${securityLevels.join(', ')}`);
  }
  if (level === 'off') return { level, rateLimits: undefined, audit: undefined, tokens: undefined };

  const rateLimits: RateLimits = {
    requests: resolveBucket('requests', defaultRateLimits.requests, options.rateLimits?.requests),
    responses: resolveBucket('responses', defaultRateLimits.responses, options.rateLimits?.responses),
  };
  const audit: AuditLimits = {
    perAgent: resolveBucket('audit', defaultAuditLimits.perAgent, options.audit?.perAgent),
    summaryIntervalMs: options.audit?.summaryIntervalMs ?? defaultAuditLimits.summaryIntervalMs,
  };
  if (!Number.isInteger(audit.summaryIntervalMs) || audit.summaryIntervalMs < 1) {
    throw new ElicitationError('INVALID_REQUEST', `audit.summaryIntervalMs is ${JSON.stringify(audit.summaryIntervalMs)}; use an integer number of milliseconds of 1 or more`);
  }
  if (level === 'standard') return { level, rateLimits, audit, tokens: undefined };

  const keys = options.keys ?? secretAsKeys(options.secret ?? environment.ELICIT_SECRET);
  if (keys === undefined) {
    throw new ElicitationError(
      'INVALID_REQUEST',
      'security level "strict" needs a secret to sign response tokens: pass security.secret or security.keys, or set ELICIT_SECRET',
    );
  }
  try {
    return { level, rateLimits, audit, tokens: new ResponseTokens(keys) };
  } catch (error) {
    throw new ElicitationError('INVALID_REQUEST', `the response token keys are unusable: ${(error as Error).message}`);
  }
}

function secretAsKeys(secret: string | undefined): ResponseTokenKey[] | undefined {
  return secret === undefined || secret === '' ? undefined : [{ id: 'k1', secret }];
}

function resolveBucket(name: string, defaults: BucketLimit, given: Partial<BucketLimit> | undefined): BucketLimit {
  const limit = { ...defaults, ...given };
  for (const field of ['perMinute', 'burst'] as const) {
    const value = limit[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ElicitationError('INVALID_REQUEST', `rate limit ${name}.${field} is ${JSON.stringify(value)}; use a finite number of 0 or more`);
    }
  }
  return limit;
}
