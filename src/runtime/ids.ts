/**
 * Branded identifiers, so that an elicitation id is never passed where an agent id
 * or a log position is expected. Brands exist only for the type checker.
 */

declare const brand: unique symbol;
type Brand<T, Name extends string> = T & { readonly [brand]: Name };

/** The id of one elicitation (a UUID). */
export type ElicitationId = Brand<string, 'ElicitationId'>;

/** The name of an agent: a requester or a responder. */
export type AgentId = Brand<string, 'AgentId'>;

/** A position in the event log: gap-free, increasing, assigned by the store from 1. */
export type EventPosition = Brand<number, 'EventPosition'>;

/** Brands a string as an elicitation id, after the caller has checked it. */
export const asElicitationId = (value: string): ElicitationId => value as ElicitationId;

/** Brands a string as an agent id, after the caller has checked it. */
export const asAgentId = (value: string): AgentId => value as AgentId;

/** Brands a number as an event position. */
export const asEventPosition = (value: number): EventPosition => value as EventPosition;
