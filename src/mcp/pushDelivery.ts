/**
 * Push delivery: the bridge sends each pending elicitation as `elicitation/create` (form
 * mode) to every session of its responder whose client declared the elicitation capability
 * and keeps the session's event stream open. The first valid answer, from such a client or
 * from a tool call, settles the elicitation; the requests still outstanding on the other
 * sessions are then cancelled, as they are when the elicitation expires or is withdrawn.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { Subscription } from 'rxjs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ElicitationRuntime, ElicitationSnapshot } from '../runtime/elicitationRuntime.js';
import { isElicitationError, type ValidationIssue } from '../runtime/errors.js';
import { checkMcpSchema } from '../security/mcpSchemaProfile.js';
import type { DomainEvent } from '../store/domainEvent.js';
import type { BridgeLogger } from './bridgeLogger.js';
import { isRequestTimeout, messageAfterInvalidAnswer, requestAnswer, supportsFormElicitation } from './formElicitation.js';
import { applyAction } from './mcpActions.js';

/** One MCP session of a responder: its SDK server sends the requests to its client. */
export interface PushTarget {
  readonly sessionId: string;
  readonly agent: string;
  readonly server: Server;
}

export interface PushDeliveryOptions {
  readonly runtime: ElicitationRuntime;
  readonly logger: BridgeLogger;
  /** How many times the form is sent to one session while its answers fail the schema. */
  readonly maxAttempts: number;
  /** Epoch milliseconds on the clock of the runtime's deadlines. */
  readonly now: () => number;
}

interface SessionPushes {
  readonly target: PushTarget;
  /** Requests go out on the session's event stream, so they wait until the client opens it. */
  streamOpen: boolean;
  /** The request outstanding for each elicitation, aborted to cancel it. */
  readonly outstanding: Map<string, AbortController>;
  /** Elicitations this session will not be sent again: its client failed or used up its attempts. */
  readonly finished: Set<string>;
}

type AnswerResult = { readonly kind: 'done' } | { readonly kind: 'invalid'; readonly issues: readonly ValidationIssue[] };

export class PushDelivery {
  private readonly sessions = new Map<string, SessionPushes>();
  private readonly sessionsByAgent = new Map<string, Set<SessionPushes>>();
  private readonly subscription: Subscription;

  constructor(private readonly options: PushDeliveryOptions) {
    this.subscription = options.runtime.transitions$.subscribe((event) => this.onEvent(event));
  }

  /** Sends every pending elicitation of the agent to the session, whose event stream is now open. */
  streamOpened(target: PushTarget): void {
    const session = this.sessionFor(target);
    session.streamOpen = true;
    for (const pending of this.options.runtime.pending(target.agent)) this.push(session, pending.id);
  }

  /**
   * Cancels the requests sent on an event stream that closed, because they are lost with it.
   * They go out again when the client opens a new stream.
   */
  streamClosed(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (session === undefined) return;
    session.streamOpen = false;
    for (const controller of session.outstanding.values()) controller.abort('the event stream closed');
    session.outstanding.clear();
  }

  removeSession(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (session === undefined) return;
    this.streamClosed(sessionId);
    this.sessions.delete(sessionId);
    const ofAgent = this.sessionsByAgent.get(session.target.agent);
    ofAgent?.delete(session);
    if (ofAgent?.size === 0) this.sessionsByAgent.delete(session.target.agent);
  }

  stop(): void {
    this.subscription.unsubscribe();
    for (const sessionId of [...this.sessions.keys()]) this.removeSession(sessionId);
  }

  private onEvent(event: DomainEvent): void {
    if (event.type === 'elicitation.requested') {
      for (const session of this.sessionsByAgent.get(event.data.to) ?? []) this.push(session, event.elicitationId);
      return;
    }
    if (event.elicitationId === null) return;

    const record = this.options.runtime.get(event.elicitationId);
    for (const session of this.sessionsByAgent.get(record?.to ?? '') ?? []) {
      session.outstanding.get(event.elicitationId)?.abort(`elicitation ${event.elicitationId} is ${record?.state ?? 'settled'}`);
      session.finished.delete(event.elicitationId);
    }
  }

  private sessionFor(target: PushTarget): SessionPushes {
    let session = this.sessions.get(target.sessionId);
    if (session !== undefined) return session;

    session = { target, streamOpen: false, outstanding: new Map(), finished: new Set() };
    this.sessions.set(target.sessionId, session);
    const ofAgent = this.sessionsByAgent.get(target.agent) ?? new Set();
    ofAgent.add(session);
    this.sessionsByAgent.set(target.agent, ofAgent);
    return session;
  }

  private push(session: SessionPushes, id: string): void {
    if (!session.streamOpen || session.outstanding.has(id) || session.finished.has(id)) return;
    if (!supportsFormElicitation(session.target.server.getClientCapabilities())) return;
    const record = this.options.runtime.get(id);
    // A runtime on the `json-schema` profile may hold schemas that no MCP form can show.
    if (record?.state !== 'pending' || checkMcpSchema(record.schema).length > 0) return;

    const controller = new AbortController();
    session.outstanding.set(id, controller);
    void this.deliver(session, record, controller.signal).finally(() => {
      if (session.outstanding.get(id) === controller) session.outstanding.delete(id);
    });
  }

  /** Sends the form until an answer is taken, the request is cancelled, or the attempts run out. */
  private async deliver(session: SessionPushes, record: ElicitationSnapshot, signal: AbortSignal): Promise<void> {
    const { sessionId, agent, server } = session.target;
    const elicitation = { elicitationId: record.id, requester: record.from, message: record.message, schema: record.schema, deadline: record.deadline };
    const remainingMs = () => record.deadline - this.options.now();

    for (let attempt = 1; ; attempt += 1) {
      let answer: ElicitResult | undefined;
      try {
        answer = await requestAnswer(server, elicitation, { remainingMs, signal });
      } catch (error) {
        // The SDK timeout is set past the deadline, which is due and settles the elicitation.
        if (isRequestTimeout(error)) return;
        this.options.logger.error(`elicitation ${record.id} could not be sent to agent "${agent}" in session ${sessionId}: ${(error as Error).message}; it stays pending for elicit_respond`);
        session.finished.add(record.id);
        return;
      }
      if (answer === undefined) return;

      const result = await this.applyAnswer(session, record, answer, signal);
      if (result.kind === 'done') return;
      if (attempt >= this.options.maxAttempts) {
        this.options.logger.info(`the client of agent "${agent}" in session ${sessionId} answered elicitation ${record.id} ${attempt} times with content that fails its schema; it is not sent there again and stays pending for elicit_respond`);
        session.finished.add(record.id);
        return;
      }
      elicitation.message = messageAfterInvalidAnswer(record.message, result.issues);
    }
  }

  /** Applies the client's answer as the responder; a full rate-limit bucket is waited out. */
  private async applyAnswer(session: SessionPushes, record: ElicitationSnapshot, answer: ElicitResult, signal: AbortSignal): Promise<AnswerResult> {
    const { runtime, logger } = this.options;
    const { sessionId, agent } = session.target;
    for (;;) {
      try {
        await applyAction(runtime, { id: record.id, agent, action: answer.action, content: answer.content, token: runtime.issueResponseToken(record.id) });
        return { kind: 'done' };
      } catch (error) {
        if (isElicitationError(error, 'INVALID_CONTENT')) return { kind: 'invalid', issues: error.details.issues ?? [] };
        if (isElicitationError(error, 'EXPIRED') || isElicitationError(error, 'ALREADY_SETTLED')) return { kind: 'done' };

        const retryAfterMs = isElicitationError(error, 'RATE_LIMITED') ? error.details.retryAfterMs : undefined;
        if (retryAfterMs !== undefined && retryAfterMs < record.deadline - this.options.now() && !signal.aborted) {
          logger.info(`the answer of agent "${agent}" to elicitation ${record.id} hit its rate limit; applying it again in ${retryAfterMs} ms`);
          await sleep(retryAfterMs);
          continue;
        }
        logger.error(`the answer of agent "${agent}" in session ${sessionId} to elicitation ${record.id} was not applied: ${(error as Error).message}`);
        session.finished.add(record.id);
        return { kind: 'done' };
      }
    }
  }
}
