/**
 * The runtime's `inspect` option follows XState's `createActor(machine, { inspect })`: it
 * takes a function or an observer and receives the inspection events of every elicitation
 * actor, the one that takes a command and the one that expires at its deadline alike.
 */
import type { InspectionEvent } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createElicitationRuntime, SimulatedClock } from '../../src/index.js';

const schema = { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] };
const start = Date.UTC(2026, 0, 1);

/** Returns the elicitation id of the actor an inspection event is about. */
function elicitationIdOf(event: InspectionEvent): string | undefined {
  const snapshot = event.actorRef.getSnapshot() as { context?: { id?: string } } | undefined;
  return snapshot?.context?.id;
}

/** Lists the state value of each `@xstate.snapshot` event of one elicitation's actors, in order. */
function statesOf(events: readonly InspectionEvent[], id: string): unknown[] {
  return events.filter((event) => event.type === '@xstate.snapshot' && elicitationIdOf(event) === id).map((event) => (event as unknown as { snapshot: { value: unknown } }).snapshot.value);
}

describe('inspect option', () => {
  it('gets inspection events of every elicitation actor', async () => {
    const events: InspectionEvent[] = [];
    const clock = new SimulatedClock(start);
    const runtime = await createElicitationRuntime({ clock, inspect: (event) => events.push(event) });

    const answered = await runtime.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 30_000 });
    const expiring = await runtime.request({ from: 'alice', to: 'carol', message: 'Roll back?', schema, timeoutMs: 1_000 });
    await runtime.accept({ id: answered.id, agent: 'bob', content: { approved: true } });
    clock.advanceTo(start + 1_000);
    await runtime.settled(expiring.id);
    await runtime.stop();

    expect(new Set(events.map((event) => event.type))).toEqual(new Set(['@xstate.actor', '@xstate.event', '@xstate.snapshot', '@xstate.microstep', '@xstate.action']));

    const received = events.filter((event) => event.type === '@xstate.event' && elicitationIdOf(event) === answered.id).map((event) => (event as unknown as { event: { type: string } }).event.type);
    expect(received).toContain('ACCEPT');
    expect(statesOf(events, answered.id).at(-1)).toBe('answered');

    const expiry = events.filter((event) => event.type === '@xstate.event' && elicitationIdOf(event) === expiring.id).map((event) => (event as unknown as { event: { type: string } }).event.type);
    expect(expiry).toContain('xstate.after.untilDeadline.elicitation.pending');
    expect(statesOf(events, expiring.id).at(-1)).toBe('expired');
  });

  it('takes an observer object as XState does', async () => {
    const types: string[] = [];
    const runtime = await createElicitationRuntime({ clock: new SimulatedClock(start), inspect: { next: (event) => types.push(event.type) } });

    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 30_000 });
    await runtime.decline({ id, agent: 'bob' });
    await runtime.stop();

    expect(types).toContain('@xstate.actor');
    expect(types).toContain('@xstate.snapshot');
  });

  it('sees a refused command that leaves the state unchanged', async () => {
    const events: InspectionEvent[] = [];
    const runtime = await createElicitationRuntime({ clock: new SimulatedClock(start), inspect: (event) => events.push(event) });

    const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema, timeoutMs: 30_000 });
    await expect(runtime.accept({ id, agent: 'bob', content: { approved: 'yes' } })).rejects.toMatchObject({ code: 'INVALID_CONTENT' });
    await runtime.stop();

    const actions = events.filter((event) => event.type === '@xstate.action' && elicitationIdOf(event) === id).map((event) => (event as unknown as { action: { type: string; params: unknown } }).action);
    // The machine's `refuse` action is XState's `emit`, so it shows as `xstate.emit` with the emitted event.
    const refusal = actions.find((action) => action.type === 'xstate.emit');
    expect(refusal?.params).toMatchObject({ event: { type: 'refused', code: 'INVALID_CONTENT', rule: 'accepted content must match the schema' } });
    expect(statesOf(events, id).every((value) => value === 'pending')).toBe(true);
  });
});
