/**
 * One `elicitation/create` request in form mode, sent to an MCP client through the SDK's
 * low-level `Server`. The runtime's deadline, not the SDK's request timeout, decides when
 * the request ends: the caller aborts it through `signal`, and the SDK timeout is set past
 * the deadline so that it cannot fire first.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ElicitResultSchema, EmptyResultSchema, ErrorCode, McpError, type ClientCapabilities, type ElicitRequestFormParams, type ElicitResult, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { ValidationIssue } from '../runtime/errors.js';
import type { JsonSchema } from '../store/domainEvent.js';

/** Node's `setTimeout` fires at once for delays above this, so the SDK timeout stays below it. */
const maxNodeTimerDelay = 2 ** 31 - 1;

/**
 * How long past the deadline the SDK timeout is set. The runtime's deadline aborts the
 * request first, and the SDK timeout only ends a request whose abort never came.
 */
const sdkTimeoutMarginMs = 5_000;

/** How long the ping that spends request id 0 may take; a client that does not answer it still gets the elicitation. */
const pingTimeoutMs = 5_000;

/** The `_meta` key under which each request names its elicitation, requester and deadline. */
export const elicitationMetaKey = 'elicitation-runtime/elicitation';

export interface FormElicitation {
  readonly elicitationId: string;
  readonly requester: string;
  readonly message: string;
  readonly schema: JsonSchema;
  /** Epoch milliseconds, for the client to show; the runtime enforces it. */
  readonly deadline: number;
}

export interface AnswerOptions {
  /** How long the elicitation has left, in milliseconds, read again for each send. */
  readonly remainingMs: () => number;
  /** Ends the outstanding request, and the SDK sends the client `notifications/cancelled`. */
  readonly signal: AbortSignal;
  /** Sends the request on the stream of this incoming request, such as the tool call that asks. */
  readonly relatedRequestId?: RequestId | undefined;
}

/**
 * Tells whether a client declared form-mode elicitation. An empty `elicitation` object
 * counts as form mode, as the 2025-11-25 protocol keeps it for older clients.
 */
export function supportsFormElicitation(capabilities: ClientCapabilities | undefined): boolean {
  const elicitation = capabilities?.elicitation;
  if (elicitation === undefined) return false;
  return elicitation.form !== undefined || elicitation.url === undefined;
}

/**
 * Sends the elicitation and resolves with the client's result as the SDK parsed it, or with
 * `undefined` once `signal` aborts. The content of an accept is not checked here: the
 * runtime checks it when the answer is applied.
 */
export async function requestAnswer(server: Server, elicitation: FormElicitation, options: AnswerOptions): Promise<ElicitResult | undefined> {
  for (;;) {
    await spendRequestIdZero(server, options.relatedRequestId);
    if (options.signal.aborted) return undefined;
    const remainingMs = Math.max(0, options.remainingMs());

    // One controller a send, unlinked afterwards: the SDK never removes its abort listener,
    // and an abort after the answer came would send a stray cancellation for a finished request.
    const send = new AbortController();
    const relay = () => send.abort(options.signal.reason);
    options.signal.addEventListener('abort', relay, { once: true });
    try {
      return await sendFormElicitation(server, elicitation, remainingMs, send.signal, options.relatedRequestId);
    } catch (error) {
      if (options.signal.aborted) return undefined;
      // Only a deadline past Node's longest timer lets the SDK time out first; the form is then sent again.
      // NOTE: so a client shows the form of a deadline over 24.8 days away once each 24.8 days.
      if (isRequestTimeout(error) && remainingMs + sdkTimeoutMarginMs > maxNodeTimerDelay) continue;
      throw error;
    } finally {
      options.signal.removeEventListener('abort', relay);
    }
  }
}

/** The servers whose request id 0 is spent, each with the ping that spent it. */
const spentRequestIdZero = new WeakMap<Server, Promise<void>>();

/**
 * Sends one `ping` per server before its first elicitation. The SDK's Protocol (1.32.2)
 * numbers requests from 0 and drops a `notifications/cancelled` whose request id is 0, so
 * a client would never learn that an elicitation sent as request 0 was cancelled. Whatever
 * the ping's own id, request 0 is spent once it has gone out.
 */
function spendRequestIdZero(server: Server, relatedRequestId: RequestId | undefined): Promise<void> {
  let ping = spentRequestIdZero.get(server);
  if (ping === undefined) {
    const options = { timeout: pingTimeoutMs, ...(relatedRequestId === undefined ? {} : { relatedRequestId }) };
    ping = server.request({ method: 'ping' }, EmptyResultSchema, options).then(
      () => undefined,
      () => undefined,
    );
    spentRequestIdZero.set(server, ping);
  }
  return ping;
}

function sendFormElicitation(server: Server, elicitation: FormElicitation, remainingMs: number, signal: AbortSignal, relatedRequestId: RequestId | undefined): Promise<ElicitResult> {
  const params: ElicitRequestFormParams = {
    mode: 'form',
    message: elicitation.message,
    requestedSchema: elicitation.schema as ElicitRequestFormParams['requestedSchema'],
    _meta: {
      // Epoch milliseconds, as elicit_request and the event log give deadlines.
      [elicitationMetaKey]: { id: elicitation.elicitationId, from: elicitation.requester, deadline: elicitation.deadline },
    },
  };
  const timeout = Math.min(remainingMs + sdkTimeoutMarginMs, maxNodeTimerDelay);

  // `Server.request`, not `Server.elicitInput`: elicitInput checks accepted content only when
  // the client sent some, and the runtime must check every accept, with or without content.
  return server.request({ method: 'elicitation/create', params }, ElicitResultSchema, {
    timeout,
    signal,
    ...(relatedRequestId === undefined ? {} : { relatedRequestId }),
  });
}

/** Builds the message of a repeated request: the original, then why the last answer was not taken. */
export function messageAfterInvalidAnswer(message: string, issues: readonly ValidationIssue[]): string {
  const listed = issues.map((issue) => `${issue.path === '/' ? 'the answer' : issue.path.slice(1)} ${issue.message}`).join('; ');
  return `${message}\n\nThe previous answer was not accepted (${listed}). Please answer again.`;
}

/** Tells whether the SDK ended a request on its own timeout, which an abort also reports. */
export function isRequestTimeout(error: unknown): boolean {
  return error instanceof McpError && error.code === ErrorCode.RequestTimeout;
}
