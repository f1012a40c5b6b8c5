/**
 * The bridge's tools as `tools/list` shows them: names, descriptions, annotations and the
 * JSON Schemas (2020-12) of their inputs and outputs. No input names the caller, whose
 * identity comes from its bearer token.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { errorCodes } from '../runtime/errors.js';
import { maxAgentIdLength, maxMessageLength, maxTimeoutMs } from '../runtime/requestValidation.js';

/** The longest `waitMs` that `elicit_await` takes: 10 minutes. */
export const maxWaitMs = 600_000;
/** The `waitMs` of `elicit_await` when the caller gives none: below the SDK's 60 s default request timeout. */
export const defaultWaitMs = 30_000;

export const bridgeToolNames = ['elicit_request', 'elicit_ask', 'elicit_await', 'elicit_pending', 'elicit_respond', 'elicit_withdraw'] as const;
export type BridgeToolName = (typeof bridgeToolNames)[number];

type JsonSchemaObject = Tool['inputSchema'];

const elicitationId = { type: 'string', minLength: 1, maxLength: 128, description: 'The elicitation id that elicit_request or elicit_pending returned.' };
const agentName = { type: 'string', minLength: 1, maxLength: maxAgentIdLength, pattern: '^[^\\u0000-\\u001f\\u007f]+$' };

const requestInput: JsonSchemaObject = {
  type: 'object',
  properties: {
    to: { ...agentName, description: 'The responder: the agent that is to answer.' },
    message: { type: 'string', maxLength: maxMessageLength, description: 'The question, as the responder will read it.' },
    schema: {
      type: 'object',
      description: 'The JSON Schema the answer must match: a flat object of string, number, integer, boolean and enum properties (MCP form elicitation).',
    },
    timeoutMs: { type: 'integer', minimum: 1, maximum: maxTimeoutMs, description: 'Milliseconds until the deadline; an answer at or after it is refused.' },
  },
  required: ['to', 'message', 'schema', 'timeoutMs'],
  additionalProperties: false,
};

const outcome = {
  type: 'object',
  description: 'An elicitation: pending, or settled with its reason, the agent that settled it and the accepted content.',
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: ['pending', 'answered', 'rejected', 'expired'] },
    reason: { type: ['string', 'null'], enum: ['declined', 'cancelled', 'withdrawn', null], description: 'Why it was rejected; null unless rejected.' },
    by: { type: ['string', 'null'], description: 'The agent whose command settled it; null while pending and when expired.' },
    content: { description: 'The accepted content; null unless answered.' },
  },
  required: ['id', 'state'],
  additionalProperties: false,
};

const refusal = {
  type: 'object',
  description: 'A refused call (isError is true). Branch on code, which is stable.',
  properties: {
    code: { type: 'string', enum: [...errorCodes] },
    message: { type: 'string' },
    issues: {
      type: 'array',
      description: 'For INVALID_REQUEST and INVALID_CONTENT: each failing field, as a JSON Pointer, and why.',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } }, required: ['path', 'message'], additionalProperties: false },
    },
    retryAfterMs: { type: 'integer', description: 'For RATE_LIMITED: how long to wait before retrying.' },
  },
  required: ['code', 'message'],
  additionalProperties: false,
};

/**
 * Builds an output schema that also admits the refusal. The SDK's `Client.callTool` (1.32.2)
 * checks `structuredContent` against the output schema even when `isError` is true, so a
 * refusal that only matched the success shape would reach the caller as a protocol error.
 */
function orRefusal(success: object): NonNullable<Tool['outputSchema']> {
  return { type: 'object', anyOf: [success, refusal] };
}

const pendingElicitation = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    from: { type: 'string', description: 'The requester.' },
    message: { type: 'string' },
    schema: { type: 'object' },
    deadline: { type: 'integer', description: 'Epoch milliseconds.' },
    requestedAt: { type: 'integer', description: 'Epoch milliseconds.' },
    responseToken: { type: 'string', description: 'Pass it as token to elicit_respond.' },
  },
  required: ['id', 'from', 'message', 'schema', 'deadline', 'requestedAt'],
  additionalProperties: false,
};

export const bridgeTools: readonly Tool[] = [
  {
    name: 'elicit_request',
    title: 'Ask an agent, without waiting',
    description: 'Asks another agent for content that matches a JSON Schema before a deadline, and returns the elicitation id at once. Read the outcome with elicit_await.',
    inputSchema: requestInput,
    outputSchema: orRefusal({
      type: 'object',
      properties: { id: { type: 'string' }, deadline: { type: 'integer', description: 'Epoch milliseconds.' } },
      required: ['id', 'deadline'],
      additionalProperties: false,
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  },
  {
    name: 'elicit_ask',
    title: 'Ask an agent and wait for the outcome',
    description:
      'Asks another agent and waits until the elicitation is answered, rejected or expired. Cancelling the call withdraws the elicitation. For deadlines over 60 s, raise the client request timeout, or ask for progress and reset the timeout on it: the bridge sends progress while it waits.',
    inputSchema: requestInput,
    outputSchema: orRefusal(outcome),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  },
  {
    name: 'elicit_await',
    title: 'Wait for an outcome',
    description: `Waits up to waitMs (default ${defaultWaitMs}, at most ${maxWaitMs}) for an elicitation to settle, and returns its outcome, or {id, state: "pending"} when it is still pending. Only its requester and responder may wait on it.`,
    inputSchema: {
      type: 'object',
      properties: { id: elicitationId, waitMs: { type: 'integer', minimum: 0, maximum: maxWaitMs, description: 'Milliseconds to wait at most.' } },
      required: ['id'],
      additionalProperties: false,
    },
    outputSchema: orRefusal(outcome),
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: 'elicit_pending',
    title: 'List what waits for me',
    description: 'Lists the pending elicitations that the caller is to answer, oldest first, each with the response token that elicit_respond needs.',
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    outputSchema: orRefusal({
      type: 'object',
      properties: { elicitations: { type: 'array', items: pendingElicitation } },
      required: ['elicitations'],
      additionalProperties: false,
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: 'elicit_respond',
    title: 'Answer an elicitation',
    description:
      'Answers an elicitation addressed to the caller: accept with content that matches its schema, decline, or cancel (dismiss without a choice). Pass the response token from elicit_pending. Content that fails the schema is refused with INVALID_CONTENT and the elicitation stays pending.',
    inputSchema: {
      type: 'object',
      properties: {
        id: elicitationId,
        action: { type: 'string', enum: ['accept', 'decline', 'cancel'] },
        content: { type: 'object', description: 'For accept only: the answer. An accept without content is checked as {}.' },
        token: { type: 'string', maxLength: 200, description: 'The response token from elicit_pending.' },
      },
      required: ['id', 'action'],
      additionalProperties: false,
    },
    outputSchema: orRefusal(outcome),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  },
  {
    name: 'elicit_withdraw',
    title: 'Withdraw my question',
    description: 'Withdraws a pending elicitation that the caller requested; it is rejected with the reason withdrawn.',
    inputSchema: { type: 'object', properties: { id: elicitationId }, required: ['id'], additionalProperties: false },
    outputSchema: orRefusal(outcome),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  },
];
