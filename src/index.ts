/**
 * elicitation-runtime: an actor-model runtime for agents that ask each other, or a person,
 * for structured input that must match a JSON Schema before a deadline.
 */
export {
  createElicitationRuntime,
  ElicitationRuntime,
  type ActorFailure,
  type AcceptInput,
  type ElicitationRuntimeOptions,
  type ElicitationSnapshot,
  type PendingElicitation,
  type RequestInput,
  type RequestResult,
  type ResponseInput,
  type WithdrawInput,
} from './runtime/elicitationRuntime.js';
export type { StoreRetryOptions } from './runtime/eventLog.js';
export { ElicitationError, errorCodes, isElicitationError, type ErrorCode, type ErrorDetails, type ValidationIssue } from './runtime/errors.js';
export { SimulatedClock, SystemClock, type RuntimeClock } from './runtime/clock.js';
export type { AgentId, ElicitationId, EventPosition } from './runtime/ids.js';
export { elicitationMachine, type ElicitationCommand, type ElicitationInput, type Settlement } from './machines/elicitationMachine.js';
export { MemoryEventStore } from './store/memoryEventStore.js';
export { readAll, type EventStore } from './store/eventStore.js';
export { ElicitationProjection, replay, CorruptLogError, type ElicitationRecord, type ElicitationState } from './store/projection.js';
export type * from './store/domainEvent.js';
export { domainEventTypes } from './store/domainEvent.js';
export type { SecurityLevel, SecurityOptions } from './security/securityPolicy.js';
export type { ResponseTokenKey } from './security/responseTokens.js';
export type { BucketLimit, RateLimits } from './security/rateLimiter.js';
