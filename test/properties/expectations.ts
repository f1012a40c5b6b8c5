/**
 * Checks that compare the runtime with the reference model after each command: the
 * outcome of a command, every elicitation as `runtime.get` returns it, and what
 * `runtime.pending` lists for each responder.
 */
import { expect } from 'vitest';
import { isElicitationError, readAll, type ElicitationSnapshot } from '../../src/index.js';
import type { ModelElicitation, Outcome, ReferenceModel } from './referenceModel.js';
import { startTime, type RuntimeUnderTest } from './runtimeUnderTest.js';

export const agents = ['alice', 'bob', 'carol'] as const;
export type AgentName = (typeof agents)[number];

/**
 * Awaits a command's promise and returns `ok` or the error code. Anything thrown that is
 * not an `ElicitationError` is a crash of the runtime, so it propagates and fails the run.
 */
export async function outcomeOf<T>(command: Promise<T>): Promise<{ outcome: Outcome | string; value?: T }> {
  try {
    return { outcome: 'ok', value: await command };
  } catch (error) {
    if (isElicitationError(error)) return { outcome: error.code };
    throw error;
  }
}

/** Picks the fields of a record that the model predicts, leaving absent ones out. */
export function observedFields(record: ElicitationSnapshot | ModelElicitation | undefined): Record<string, unknown> | undefined {
  if (record === undefined) return undefined;

  const source: Record<string, unknown> = { ...record };
  const fields: Record<string, unknown> = {
    state: source.state,
    from: source.from,
    to: source.to,
    deadline: source.deadline,
    // The model counts no versions: a pending elicitation has one event, a final one two.
    version: source.version ?? (record.state === 'pending' ? 1 : 2),
  };
  for (const key of ['by', 'reason', 'content', 'settledAt']) {
    if (source[key] !== undefined) fields[key] = source[key];
  }
  return fields;
}

/** Compares every elicitation and every responder's pending list with the model. */
export function expectRuntimeMatchesModel(model: ReferenceModel, real: RuntimeUnderTest, after: string): void {
  expect(real.ids.length, `number of elicitations after ${after}`).toBe(model.elicitations.length);
  expect(real.clock.now() - model.now, `clock after ${after}`).toBe(0);

  for (const elicitation of model.elicitations) {
    const id = real.ids[elicitation.ref]!;
    expect(observedFields(real.runtime.get(id)), `get(e${elicitation.ref}) after ${after}`).toEqual(observedFields(elicitation));
  }

  for (const agent of agents) {
    const pending = real.runtime.pending(agent);
    const expected = model.pendingElicitations().filter((elicitation) => elicitation.to === agent).map((elicitation) => elicitation.ref);
    expect(pending.map((record) => real.ids.indexOf(record.id)), `pending("${agent}") after ${after}`).toEqual(expected);
    for (const record of pending) {
      expect(record.responseToken !== undefined, `pending("${agent}") carries a response token only at strict`).toBe(model.level === 'strict');
    }
  }
}

/** Checks that the event of a command whose promise resolved is already in the store. */
export async function expectDurable(real: RuntimeUnderTest, id: string, type: string, after: string): Promise<void> {
  const events = await readAll(real.store);
  const found = events.some((event) => event.elicitationId === id && event.type === type);
  expect(found, `${type} of ${id} is in the store once ${after} resolved`).toBe(true);
}

/** Formats the model's time as milliseconds since the start of the run, for messages. */
export function elapsed(model: ReferenceModel): string {
  return `t=+${model.now - startTime}ms`;
}
