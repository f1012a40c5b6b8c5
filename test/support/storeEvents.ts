/**
 * Events and temporary database files for the event store tests: a requested, an answered and
 * a refused event shaped like the runtime's, and SQLite paths removed after each test.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { asAgentId, asElicitationId } from '../../src/runtime/ids.js';
import type { DomainEvent, UnstoredEvent } from '../../src/store/domainEvent.js';

export const startTime = Date.UTC(2026, 0, 1);

/**
 * Returns a function that gives a new database path in a temporary folder for each call.
 * Call it at the top of a test file: it registers an `afterEach` that removes the folders.
 */
export function temporaryDatabases(): () => string {
  const directories: string[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });
  return () => {
    const directory = mkdtempSync(join(tmpdir(), 'elicitation-store-'));
    directories.push(directory);
    return join(directory, 'events.db');
  };
}

export function requested(elicitationId: string, time = startTime): UnstoredEvent {
  return {
    eventId: randomUUID(),
    type: 'elicitation.requested',
    elicitationId: asElicitationId(elicitationId),
    version: 1,
    time,
    causationId: `command-${elicitationId}`,
    correlationId: `correlation-${elicitationId}`,
    data: {
      from: asAgentId('alice'),
      to: asAgentId('bob'),
      message: 'Deploy?',
      schema: { type: 'object' },
      deadline: time + 30_000,
      metadata: { ref: elicitationId },
    },
  };
}

export function answered(elicitationId: string, time = startTime + 1, version = 2): UnstoredEvent {
  return {
    eventId: randomUUID(),
    type: 'elicitation.answered',
    elicitationId: asElicitationId(elicitationId),
    version,
    time,
    causationId: `accept-${elicitationId}`,
    correlationId: `correlation-${elicitationId}`,
    data: { by: asAgentId('bob'), content: { approved: true, note: 'ship it' } },
  };
}

export function refused(time: number): UnstoredEvent {
  return {
    eventId: randomUUID(),
    type: 'security.refused',
    elicitationId: null,
    version: null,
    time,
    causationId: 'command-refused',
    correlationId: 'correlation-refused',
    data: { agent: asAgentId('mallory'), command: 'accept', code: 'UNAUTHORIZED', elicitationId: asElicitationId('q1') },
  };
}

export function positionsOf(events: readonly DomainEvent[]): number[] {
  return events.map((event) => event.position);
}
