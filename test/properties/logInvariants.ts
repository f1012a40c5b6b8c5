/**
 * Checks of the event log at the end of a run: the contracts every log keeps whatever the
 * commands were, then the exact events the reference model predicts, in order.
 */
import { expect } from 'vitest';
import { readAll, replay, type DomainEvent, type ElicitationId } from '../../src/index.js';
import type { ExpectedEvent, ReferenceModel } from './referenceModel.js';
import { stopRuntimeUnderTest, type RuntimeUnderTest } from './runtimeUnderTest.js';

/** Stops the runtime so every batch is written, then checks the stored log. */
export async function expectLogKeepsContracts(model: ReferenceModel, real: RuntimeUnderTest): Promise<void> {
  await stopRuntimeUnderTest(real);
  const events = await readAll(real.store);

  expect(events.map((event) => event.position), 'positions are 1, 2, 3, ... without gaps').toEqual(events.map((_, index) => index + 1));
  expect(real.transitions, 'transitions$ emitted the stored events in log order').toEqual(events);

  for (const id of real.ids) expectElicitationEvents(id, events);

  const replayed = await replay(events);
  for (const id of real.ids) {
    expect(replayed.get(id as ElicitationId), `replay of the log rebuilds ${id} as runtime.get shows it`).toEqual(real.runtime.get(id));
  }

  expect(events.map((event) => predictedFields(event, real.ids)), 'the log holds the events the model predicts').toEqual(model.log);
}

/** Checks one requested event, at most one terminal event, versions from 1, and no answer or rejection at or after the deadline. */
function expectElicitationEvents(id: string, events: readonly DomainEvent[]): void {
  const own = events.filter((event) => event.elicitationId === id);
  const requested = own.filter((event) => event.type === 'elicitation.requested');
  const terminal = own.filter((event) => event.type !== 'elicitation.requested');

  expect(requested.length, `requested events of ${id}`).toBe(1);
  expect(terminal.length, `terminal events of ${id}`).toBeLessThanOrEqual(1);
  expect(own.map((event) => event.version), `versions of ${id}`).toEqual(own.map((_, index) => index + 1));

  const request = requested[0]!;
  const ending = terminal[0];
  if (request.type !== 'elicitation.requested' || ending === undefined) return;

  const deadline = request.data.deadline;
  if (ending.type === 'elicitation.expired') {
    expect(ending.time, `expired event of ${id} is stamped with its deadline`).toBe(deadline);
    expect(ending.data.deadline, `expired event of ${id} names its deadline`).toBe(deadline);
  } else {
    expect(ending.time, `${ending.type} of ${id} comes before its deadline ${deadline}`).toBeLessThan(deadline);
  }
}

/** Projects a stored event onto the fields the model predicts, naming the elicitation by its request order. */
function predictedFields(event: DomainEvent, ids: readonly string[]): ExpectedEvent | Record<string, unknown> {
  const ref = ids.indexOf(event.elicitationId ?? '');
  switch (event.type) {
    case 'elicitation.requested':
      return { type: event.type, ref, time: event.time, from: event.data.from, to: event.data.to, deadline: event.data.deadline };
    case 'elicitation.answered':
      return { type: event.type, ref, time: event.time, by: event.data.by, content: event.data.content };
    case 'elicitation.rejected':
      return { type: event.type, ref, time: event.time, by: event.data.by, reason: event.data.reason };
    case 'elicitation.expired':
      return { type: event.type, ref, time: event.time, deadline: event.data.deadline };
    case 'security.refused': {
      const refused = event.data.elicitationId === undefined ? {} : { ref: ids.indexOf(event.data.elicitationId) };
      return { type: event.type, time: event.time, agent: event.data.agent, command: event.data.command, code: event.data.code, ...refused };
    }
  }
}
