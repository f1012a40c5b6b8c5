/**
 * The handlers of the bridge's tools, for one authenticated agent. Each call runs in three steps:
 * check the arguments against the tool's input schema, run the runtime command as the
 * caller, and return the result in `structuredContent` (with the same JSON as text). A
 * refusal by the runtime becomes a result with `isError: true` and `{code, message}`.
 */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ErrorObject } from 'ajv';
import type { Subscription } from 'rxjs';
import type { ElicitationRuntime, ElicitationSnapshot } from '../runtime/elicitationRuntime.js';
import { ElicitationError, isElicitationError, type ValidationIssue } from '../runtime/errors.js';
import type { SchemaValidator } from '../security/schemaValidator.js';
import { bridgeTools, defaultWaitMs, type BridgeToolName } from './bridgeToolSchemas.js';
import { applyAction, toOutcome, type ElicitationAction } from './mcpActions.js';

export type ToolCallExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface ToolContext {
  readonly runtime: ElicitationRuntime;
  /** The caller, as its bearer token names it. */
  readonly agent: string;
  readonly validator: SchemaValidator;
  /** How often a waiting tool sends progress, when the caller asked for progress. */
  readonly heartbeatMs: number;
  readonly extra: ToolCallExtra;
  /** Tells whether the bridge is closing, which ends every call but withdraws nothing. */
  readonly bridgeClosing: () => boolean;
}

type Arguments = Record<string, unknown>;
type ToolHandler = (args: Arguments, context: ToolContext) => Promise<object>;

const identityFields = new Set(['from', 'agent', 'by', 'requester', 'responder']);

const handlers: Record<BridgeToolName, ToolHandler> = {
  elicit_request: async (args, { runtime, agent }) => {
    const { id, deadline } = await runtime.request({ ...requestFields(args), from: agent });
    return { id, deadline };
  },

  elicit_ask: async (args, context) => {
    const { runtime, agent, extra } = context;
    const { id } = await runtime.request({ ...requestFields(args), from: agent });

    // The caller cancelled or disconnected, so nobody is left to read the answer: take the question back.
    // A closing bridge ends the call too, but the elicitation stays pending in the store for the next run.
    const onCancel = () => {
      if (!context.bridgeClosing()) void runtime.withdraw({ id, agent }).catch(() => undefined);
    };
    extra.signal.addEventListener('abort', onCancel, { once: true });
    try {
      const settled = await waitForSettlement(context, id, args.to as string, undefined);
      return toOutcome(settled ?? runtime.get(id)!);
    } finally {
      extra.signal.removeEventListener('abort', onCancel);
    }
  },

  elicit_await: async (args, context) => {
    const id = args.id as string;
    const record = readableBy(context.runtime, id, context.agent);
    const waitMs = (args.waitMs as number | undefined) ?? defaultWaitMs;
    const settled = record.state === 'pending' ? await waitForSettlement(context, id, record.to, waitMs) : record;
    return settled === undefined ? { id, state: 'pending' } : toOutcome(settled);
  },

  elicit_pending: async (_args, { runtime, agent }) => ({
    elicitations: runtime.pending(agent).map((pending) => ({
      id: pending.id,
      from: pending.from,
      message: pending.message,
      schema: pending.schema,
      deadline: pending.deadline,
      requestedAt: pending.requestedAt,
      ...(pending.responseToken === undefined ? {} : { responseToken: pending.responseToken }),
    })),
  }),

  elicit_respond: async (args, { runtime, agent }) => {
    const action = args.action as ElicitationAction;
    if (action !== 'accept' && args.content !== undefined) {
      throw invalidArguments('elicit_respond', [{ path: '/content', message: `is only for accept, not ${action}` }]);
    }
    const token = args.token as string | undefined;
    return toOutcome(await applyAction(runtime, { id: args.id as string, agent, action, content: args.content, token }));
  },

  elicit_withdraw: async (args, { runtime, agent }) => toOutcome(await runtime.withdraw({ id: args.id as string, agent })),
};

/** Runs one tool call for `context.agent`; a name that is no tool of the bridge gives `undefined`. */
export async function callBridgeTool(name: string, args: Arguments | undefined, context: ToolContext): Promise<CallToolResult | undefined> {
  const tool = bridgeTools.find((candidate) => candidate.name === name);
  if (tool === undefined) return undefined;

  try {
    const checked = args ?? {};
    checkArguments(context.validator, name, tool.inputSchema, checked);
    const result = await handlers[name as BridgeToolName](checked, context);
    return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result as Record<string, unknown> };
  } catch (error) {
    if (!isElicitationError(error)) throw error;
    return refusalResult(error);
  }
}

function refusalResult(error: ElicitationError): CallToolResult {
  const refusal = {
    code: error.code,
    message: error.message,
    ...(error.details.issues === undefined ? {} : { issues: error.details.issues }),
    ...(error.details.retryAfterMs === undefined ? {} : { retryAfterMs: error.details.retryAfterMs }),
  };
  return { isError: true, content: [{ type: 'text', text: error.message }], structuredContent: refusal };
}

function requestFields(args: Arguments) {
  return { to: args.to as string, message: args.message as string, schema: args.schema as Record<string, unknown>, timeoutMs: args.timeoutMs as number };
}

/** Finds the elicitation and checks that `agent` is its requester or responder; others learn nothing of its state. */
function readableBy(runtime: ElicitationRuntime, id: string, agent: string): ElicitationSnapshot {
  const record = runtime.get(id);
  if (record === undefined) {
    throw new ElicitationError('NOT_FOUND', `no elicitation has id ${id}; check the id returned by elicit_request or elicit_pending`, { elicitationId: id, agent });
  }
  if (record.from !== agent && record.to !== agent) {
    throw new ElicitationError('UNAUTHORIZED', `agent "${agent}" may not read elicitation ${id}: only its requester and responder may`, { elicitationId: id, agent });
  }
  return record;
}

/**
 * Waits until the elicitation settles (its snapshot), `waitMs` passes or the call is
 * cancelled (`undefined`). While it waits, it sends a progress notification each
 * `heartbeatMs` if the caller asked for progress, so a client that resets its request
 * timeout on progress keeps waiting.
 */
function waitForSettlement(context: ToolContext, id: string, responder: string, waitMs: number | undefined): Promise<ElicitationSnapshot | undefined> {
  const { runtime, extra, heartbeatMs } = context;
  const progressToken = extra._meta?.progressToken;
  let subscription: Subscription | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let timeout: NodeJS.Timeout | undefined;
  let onCancel: (() => void) | undefined;

  return new Promise<ElicitationSnapshot | undefined>((resolve, reject) => {
    // The event stream, not `runtime.settled`, because a subscription ends with the wait and
    // leaves nothing behind in the runtime when a caller polls a long-lived elicitation.
    subscription = runtime.transitions$.subscribe((event) => {
      if (event.elicitationId === id && event.type !== 'elicitation.requested') resolve(runtime.get(id));
    });
    // Subscribed first, so a settlement between the two steps is not missed.
    if (runtime.get(id)?.state !== 'pending') runtime.settled(id).then(resolve, reject);

    if (waitMs !== undefined) timeout = setTimeout(() => resolve(undefined), waitMs);
    onCancel = () => resolve(undefined);
    extra.signal.addEventListener('abort', onCancel, { once: true });

    if (progressToken === undefined) return;
    let progress = 0;
    heartbeat = setInterval(() => {
      progress += 1;
      const notification = { method: 'notifications/progress' as const, params: { progressToken, progress, message: `waiting for "${responder}" to answer elicitation ${id}` } };
      extra.sendNotification(notification).catch(() => undefined);
    }, heartbeatMs);
  }).finally(() => {
    subscription?.unsubscribe();
    clearInterval(heartbeat);
    clearTimeout(timeout);
    if (onCancel) extra.signal.removeEventListener('abort', onCancel);
  });
}

function checkArguments(validator: SchemaValidator, toolName: string, schema: object, args: Arguments): void {
  const validate = validator.compile(schema as Record<string, unknown>);
  if (validate(args)) return;
  throw invalidArguments(toolName, (validate.errors ?? []).map(toIssue));
}

function invalidArguments(toolName: string, issues: ValidationIssue[]): ElicitationError {
  const listed = issues.map((issue) => `${issue.path} ${issue.message}`).join('; ');
  return new ElicitationError('INVALID_REQUEST', `the arguments of ${toolName} are invalid (${listed}); fix them and call again`, { issues });
}

function toIssue(error: ErrorObject): ValidationIssue {
  const params = error.params as { additionalProperty?: string; missingProperty?: string };
  if (error.keyword === 'additionalProperties' && params.additionalProperty !== undefined) {
    const field = params.additionalProperty;
    const hint = identityFields.has(field) ? '; the caller is the agent that its bearer token names' : '';
    return { path: `${error.instancePath}/${field}`, message: `is not an argument of this tool${hint}` };
  }
  if (error.keyword === 'required' && params.missingProperty !== undefined) {
    return { path: `${error.instancePath}/${params.missingProperty}`, message: 'is required' };
  }
  return { path: error.instancePath === '' ? '/' : error.instancePath, message: error.message ?? error.keyword };
}
