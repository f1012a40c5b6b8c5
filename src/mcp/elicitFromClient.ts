/**
 * The helper for MCP server authors: ask the connected client for form input through the
 * SDK, while the runtime keeps the elicitation's life. The runtime records the request,
 * enforces the deadline (which aborts the outstanding `elicitation/create`), checks every
 * accepted answer against the schema, and writes the outcome to the event log.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { ElicitationRuntime, ElicitationSnapshot, RequestInput } from '../runtime/elicitationRuntime.js';
import { ElicitationError, isElicitationError } from '../runtime/errors.js';
import { checkMcpSchema } from '../security/mcpSchemaProfile.js';
import type { JsonSchema } from '../store/domainEvent.js';
import { messageAfterInvalidAnswer, isRequestTimeout, requestAnswer, supportsFormElicitation, type FormElicitation } from './formElicitation.js';
import { applyAction } from './mcpActions.js';

/** A runtime request, sent to the connected client, with what the SDK call needs besides. */
export interface ClientElicitationRequest extends RequestInput {
  /** The requester: this server, as the event log names it. */
  readonly from: string;
  /** The responder: the person or agent behind the connected client. */
  readonly to: string;
  /** A schema in the `mcp` profile: a flat object of string, number, integer, boolean and enum properties. */
  readonly schema: JsonSchema;
  /** From 1 ms to 365 days; neither the SDK's 60 s request timeout nor a slow reply shortens it. */
  readonly timeoutMs: number;
  /** Withdraws the elicitation when it aborts: pass the tool call's `extra.signal`. */
  readonly signal?: AbortSignal;
  /** Sends the request on the stream of the request being served: pass the tool call's `extra.requestId`. */
  readonly relatedRequestId?: RequestId;
  /** How many times the form is sent while answers fail the schema; 3 when omitted. */
  readonly maxAttempts?: number;
}

/**
 * Asks the client connected to `server` and resolves with the elicitation once it is final
 * and durable: `answered` with content that matches the schema, `rejected` with the reason
 * `declined`, `cancelled` or `withdrawn`, or `expired`. Only `answered` has content, so a
 * decline or a cancel cannot be read as an answer.
 *
 * Throws `INVALID_REQUEST` before anything is recorded when the client did not declare
 * form elicitation or the schema is outside the `mcp` profile. When every attempt brought
 * content that fails the schema, it withdraws the elicitation and throws `INVALID_CONTENT`.
 * When the SDK fails (the client returns an error, or the connection closes), it withdraws
 * the elicitation and rethrows the SDK's error.
 *
 * @example
 * server.registerTool('deploy', { inputSchema: { release: z.string() } }, async ({ release }, extra) => {
 *   const outcome = await elicitFromClient(server, runtime, {
 *     from: 'deploy-server', to: 'user', message: `Deploy release ${release}?`,
 *     schema: { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] },
 *     timeoutMs: 5 * 60_000, signal: extra.signal, relatedRequestId: extra.requestId,
 *   })
 *   if (outcome.state !== 'answered') return { content: [{ type: 'text', text: `not deployed: ${outcome.state}` }] }
 *   ...
 * })
 */
export async function elicitFromClient(server: Server | McpServer, runtime: ElicitationRuntime, request: ClientElicitationRequest): Promise<ElicitationSnapshot> {
  const lowLevel = 'server' in server ? server.server : server;
  checkClientCapability(lowLevel, request.to);
  checkSchemaProfile(request.schema);
  request.signal?.throwIfAborted();

  const startedAt = performance.now();
  const requested = await runtime.request({
    from: request.from,
    to: request.to,
    message: request.message,
    schema: request.schema,
    timeoutMs: request.timeoutMs,
    ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
  });

  // A failed withdrawal leaves the elicitation to its deadline; the caller's error, if any, matters more.
  const withdraw = () => withdrawQuietly(runtime, requested.id, request.from).catch(() => undefined);
  const onAbort = () => void withdraw();
  request.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await converse(lowLevel, runtime, request, {
      elicitationId: requested.id,
      responseToken: requested.responseToken,
      deadline: requested.deadline,
      remainingMs: () => request.timeoutMs - (performance.now() - startedAt),
    });
  } catch (error) {
    await withdraw();
    throw error;
  } finally {
    request.signal?.removeEventListener('abort', onAbort);
  }
}

interface Conversation {
  readonly elicitationId: string;
  readonly responseToken: string | undefined;
  readonly deadline: number;
  /** Measured on the monotonic clock, so an SDK timeout stays past the deadline whatever the runtime's clock. */
  readonly remainingMs: () => number;
}

/** Sends the form until an answer is taken, the elicitation settles, or the attempts run out. */
async function converse(server: Server, runtime: ElicitationRuntime, request: ClientElicitationRequest, conversation: Conversation): Promise<ElicitationSnapshot> {
  const { elicitationId } = conversation;
  const settled = runtime.settled(elicitationId);
  const settledFirst = new AbortController();
  settled.then(
    (snapshot) => settledFirst.abort(`elicitation ${elicitationId} is ${snapshot.state}`),
    () => undefined,
  );

  const maxAttempts = request.maxAttempts ?? 3;
  const elicitation: FormElicitation = { elicitationId, requester: request.from, message: request.message, schema: request.schema, deadline: conversation.deadline };
  let message = request.message;
  for (let attempt = 1; ; attempt += 1) {
    let answer;
    try {
      answer = await requestAnswer(server, { ...elicitation, message }, { remainingMs: conversation.remainingMs, signal: settledFirst.signal, relatedRequestId: request.relatedRequestId });
    } catch (error) {
      // The SDK timeout is set past the deadline, so the deadline is due and settles the elicitation.
      if (isRequestTimeout(error)) return settled;
      throw error;
    }
    if (answer === undefined) return settled;

    try {
      return await applyAction(runtime, { id: elicitationId, agent: request.to, action: answer.action, content: answer.content, token: conversation.responseToken });
    } catch (error) {
      if (isElicitationError(error, 'EXPIRED') || isElicitationError(error, 'ALREADY_SETTLED')) return settled;
      if (!isElicitationError(error, 'INVALID_CONTENT')) throw error;
      if (attempt >= maxAttempts) {
        await withdrawQuietly(runtime, elicitationId, request.from);
        throw attemptsExhausted(error, elicitationId, maxAttempts);
      }
      message = messageAfterInvalidAnswer(request.message, error.details.issues ?? []);
    }
  }
}

function checkClientCapability(server: Server, responder: string): void {
  if (supportsFormElicitation(server.getClientCapabilities())) return;
  const client = server.getClientVersion()?.name ?? 'the connected client';
  throw new ElicitationError(
    'INVALID_REQUEST',
    `${client} did not declare the elicitation capability in form mode, so nothing can be asked of "${responder}" through it; ask through a client that declares "elicitation": {"form": {}}`,
    { agent: responder, command: 'request' },
  );
}

function checkSchemaProfile(schema: JsonSchema): void {
  const issues = checkMcpSchema(schema);
  if (issues.length === 0) return;
  const listed = issues.map((issue) => `${issue.path} ${issue.message}`).join('; ');
  throw new ElicitationError('INVALID_REQUEST', `the schema is outside the MCP elicitation profile (${listed}); use a flat object of string, number, integer, boolean and enum properties`, { issues });
}

function attemptsExhausted(error: ElicitationError, elicitationId: string, maxAttempts: number): ElicitationError {
  const listed = (error.details.issues ?? []).map((issue) => `${issue.path} ${issue.message}`).join('; ');
  return new ElicitationError(
    'INVALID_CONTENT',
    `the client answered elicitation ${elicitationId} ${maxAttempts} times with content that does not match its schema (last: ${listed}), so it was withdrawn; ask again with a new request`,
    error.details,
    { cause: error },
  );
}

/** Withdraws as the requester; an elicitation that settled meanwhile stays as it is. */
async function withdrawQuietly(runtime: ElicitationRuntime, id: string, requester: string): Promise<void> {
  try {
    await runtime.withdraw({ id, agent: requester });
  } catch (error) {
    if (isElicitationError(error, 'ALREADY_SETTLED') || isElicitationError(error, 'EXPIRED')) return;
    throw error;
  }
}
