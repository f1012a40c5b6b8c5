/**
 * The refusals of the runtime: each builds an `ElicitationError` whose message names the
 * elicitation, the agent and the rule, and the refusals the contract audits
 * (`UNAUTHORIZED`, `RATE_LIMITED`) are recorded for a `security.refused` event.
 */
import type { RefusedEmitted } from '../machines/elicitationMachine.js';
import { maySend, needsResponseToken, type CommandType } from '../machines/rules.js';
import type { BucketKind } from '../security/rateLimiter.js';
import type { RefusalAudit } from '../security/refusalAudit.js';
import type { ResponseTokens } from '../security/responseTokens.js';
import type { SchemaValidator } from '../security/schemaValidator.js';
import type { CommandName } from '../store/domainEvent.js';
import type { ElicitationRecord } from '../store/projection.js';
import type { RuntimeClock } from './clock.js';
import { ElicitationError } from './errors.js';
import { asAgentId, type ElicitationId } from './ids.js';

export const commandNames: Readonly<Record<CommandType, CommandName>> = { ACCEPT: 'accept', DECLINE: 'decline', CANCEL: 'cancel', WITHDRAW: 'withdraw' };

export interface RefusalsOptions {
  readonly clock: RuntimeClock;
  readonly tokens: ResponseTokens | undefined;
  readonly validator: SchemaValidator;
  /** Undefined at security `off`, which audits nothing. */
  readonly audit: RefusalAudit | undefined;
}

export class Refusals {
  constructor(private readonly options: RefusalsOptions) {}

  rateLimited(kind: BucketKind, agent: string, command: CommandName, retryAfterMs: number, now: number): ElicitationError {
    this.audit(agent, command, 'RATE_LIMITED', undefined, now);
    return new ElicitationError(
      'RATE_LIMITED',
      `agent "${agent}" has used its ${kind} rate limit, so ${command} was not taken; retry in ${retryAfterMs} ms`,
      { agent, command, retryAfterMs },
    );
  }

  /** Refuses a command on a final elicitation, whose actor is gone, in the contract's order of checks. */
  onSettled(record: ElicitationRecord, type: CommandType, agent: string, token: string | undefined): ElicitationError {
    const command = commandNames[type];
    const sender = type === 'WITHDRAW' ? 'requester' : 'responder';
    if (!maySend({ requester: record.from, responder: record.to }, type, agent)) return this.unauthorized(record.id, agent, command, `only the ${sender} may ${command}`);

    const tokens = this.options.tokens;
    if (tokens && needsResponseToken(type) && !tokens.verify(token, record.id, record.to)) {
      return this.unauthorized(record.id, agent, command, `${command} must carry this elicitation's response token`);
    }

    const details = { elicitationId: record.id, agent, command };
    if (record.state === 'expired') {
      return new ElicitationError('EXPIRED', `elicitation ${record.id} expired at its deadline ${new Date(record.deadline).toISOString()}, so ${command} by "${agent}" was not taken`, details);
    }
    return new ElicitationError('ALREADY_SETTLED', `elicitation ${record.id} is already ${record.state}, so ${command} by "${agent}" was not taken; it stays ${record.state}`, details);
  }

  /** Turns a refusal that the machine emitted into the caller's error. */
  byMachine(record: ElicitationRecord, command: CommandName, agent: string, refusal: RefusedEmitted, content: unknown): ElicitationError {
    const details = { elicitationId: record.id, agent, command };
    switch (refusal.code) {
      case 'UNAUTHORIZED':
        return this.unauthorized(record.id, agent, command, refusal.rule);
      case 'EXPIRED':
        return new ElicitationError('EXPIRED', `elicitation ${record.id} reached its deadline ${new Date(record.deadline).toISOString()}, so ${command} by "${agent}" was not taken: ${refusal.rule}`, details);
      case 'INVALID_CONTENT': {
        const issues = this.options.validator.validate(record.schema, content);
        const listed = issues.map((issue) => `${issue.path} ${issue.message}`).join('; ');
        return new ElicitationError('INVALID_CONTENT', `content from "${agent}" for elicitation ${record.id} does not match its schema (${listed}); it stays pending, so accept again with corrected content`, { ...details, issues });
      }
    }
  }

  notFound(id: string, agent?: string, command?: CommandName): ElicitationError {
    return new ElicitationError('NOT_FOUND', `no elicitation has id ${id}; check the id returned by request`, {
      elicitationId: id,
      ...(agent === undefined ? {} : { agent }),
      ...(command === undefined ? {} : { command }),
    });
  }

  private unauthorized(id: ElicitationId, agent: string, command: CommandName, rule: string): ElicitationError {
    this.audit(agent, command, 'UNAUTHORIZED', id, this.options.clock.now());
    // The message leaves out the elicitation's state: an agent that may not act learns nothing of it.
    return new ElicitationError('UNAUTHORIZED', `agent "${agent}" may not ${command} elicitation ${id}: ${rule}`, { elicitationId: id, agent, command });
  }

  private audit(agent: string, command: CommandName, code: 'UNAUTHORIZED' | 'RATE_LIMITED', elicitationId: ElicitationId | undefined, now: number): void {
    this.options.audit?.record({ agent: asAgentId(agent), command, code, ...(elicitationId === undefined ? {} : { elicitationId }) }, now);
  }
}
