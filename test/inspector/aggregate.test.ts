/**
 * The inspector's aggregate on a scenario run by `elicit run` into a SQLite store and read
 * back the way `elicit inspect` reads it: counts by state, refusals by code and agent,
 * search by id, ref and agent, and one elicitation's history. Then the same aggregate at
 * 100,000 elicitations, where what a page receives must stay the same size.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InspectorAggregate } from '../../src/inspector/inspectorAggregate.js';
import { StorePoller } from '../../src/inspector/storePoller.js';
import { asAgentId, asElicitationId, asEventPosition } from '../../src/runtime/ids.js';
import type { DomainEvent } from '../../src/store/domainEvent.js';
import { SqliteEventStore } from '../../src/store/sqliteEventStore.js';
import { createWorkDir, elicit, removeWorkDirs, requireBuiltCli, scenarioEpoch, type Report } from '../cli/elicitCli.js';

const demoScenario = fileURLToPath(new URL('./fixtures/inspector-demo.jsonl', import.meta.url));

describe('inspector aggregate on a scenario', () => {
  let store: SqliteEventStore;
  let aggregate: InspectorAggregate;
  let report: Report;

  beforeAll(async () => {
    requireBuiltCli();
    const workDir = createWorkDir();
    const storePath = join(workDir, 'demo.db');
    const run = elicit(['run', demoScenario, '--store', storePath], workDir);
    if (run.status !== 0) throw new Error(`elicit run failed: ${run.stderr}`);
    report = JSON.parse(elicit(['report', '--store', storePath], workDir).stdout) as Report;

    store = new SqliteEventStore(storePath);
    aggregate = new InspectorAggregate();
    // Slices of 4 events, so the read goes through several polls as `elicit inspect` does on a long log.
    const poller = new StorePoller(store, aggregate, { maxEventsPerRead: 4 });
    while ((await poller.pollOnce()) > 0);
  });

  afterAll(() => {
    store.close();
    removeWorkDirs();
  });

  it('counts elicitations by state as the report does', () => {
    const summary = aggregate.summary();
    expect(summary.counts).toEqual(report.counts);
    expect(summary.counts).toEqual({ pending: 1, answered: 1, rejected: 3, expired: 1 });
    expect(summary.rejectedByReason).toEqual({ declined: 1, cancelled: 1, withdrawn: 1 });
    expect(summary.elicitations).toBe(6);
    expect(summary.events).toBe(report.events);
    expect(summary.lastPosition).toBe(report.events);
  });

  it('counts refusals by code and by agent', () => {
    const refusals = aggregate.summary().refusals;
    expect(refusals.total).toBe(4);
    expect(refusals.byCode).toEqual({ UNAUTHORIZED: 3, RATE_LIMITED: 1 });
    expect(refusals.agents).toBe(3);
    expect(refusals.topAgents).toEqual([
      { agent: 'intruder', total: 2, byCode: { UNAUTHORIZED: 2 } },
      { agent: 'oncall', total: 1, byCode: { UNAUTHORIZED: 1 } },
      { agent: 'triage-bot', total: 1, byCode: { RATE_LIMITED: 1 } },
    ]);
  });

  it('finds an elicitation by ref, id and the start of its id', () => {
    const byRef = aggregate.search('deploy-42');
    expect(byRef.matchedBy).toEqual(['ref']);
    expect(byRef.total).toBe(1);
    const id = byRef.matches[0]!.id;
    expect(byRef.matches[0]).toMatchObject({ ref: 'deploy-42', from: 'planner', to: 'reviewer', state: 'answered' });

    expect(aggregate.search(id)).toMatchObject({ matchedBy: ['id'], total: 1, matches: [{ id }] });
    // All but the last character, because ids made in the same millisecond share a long prefix.
    expect(aggregate.search(`  ${id.slice(0, -1)} `)).toMatchObject({ matchedBy: ['id prefix'], total: 1, matches: [{ id }] });
    expect(aggregate.search(id.slice(0, 4)).matchedBy).toEqual(['id prefix']);
  });

  it('finds an agent as requester or responder, newest first, with its refusals', () => {
    const oncall = aggregate.search('oncall');
    expect(oncall.matchedBy).toEqual(['agent']);
    expect(oncall.matches.map((match) => match.ref)).toEqual(['hotfix-9', 'hotfix-8', 'hotfix-7', 'rollback-41']);
    expect(oncall.agentRefusals).toEqual({ agent: 'oncall', total: 1, byCode: { UNAUTHORIZED: 1 } });

    const limited = aggregate.search('triage-bot');
    expect(limited.total).toBe(3);
    expect(limited.agentRefusals?.byCode).toEqual({ RATE_LIMITED: 1 });

    const intruder = aggregate.search('intruder');
    expect(intruder.total).toBe(0);
    expect(intruder.agentRefusals?.total).toBe(2);

    expect(aggregate.search('nobody')).toEqual({ query: 'nobody', matchedBy: [], total: 0, matches: [], agentRefusals: null });
  });

  it('caps a search at its limit and keeps the total', () => {
    const oncall = aggregate.search('oncall', 2);
    expect(oncall.total).toBe(4);
    expect(oncall.matches.map((match) => match.ref)).toEqual(['hotfix-9', 'hotfix-8']);
  });

  it('tells one history event by event with who, when and refusals', () => {
    const id = aggregate.search('deploy-42').matches[0]!.id;
    const history = aggregate.history(id)!;
    expect(history.elicitation).toMatchObject({ id, ref: 'deploy-42', message: 'Deploy release 42 to production?', state: 'answered', settledAt: scenarioEpoch + 1000 });
    expect(history.events.map(({ type, agent, time, code }) => ({ type, agent, at: time - scenarioEpoch, code }))).toEqual([
      { type: 'elicitation.requested', agent: 'planner', at: 0, code: null },
      { type: 'security.refused', agent: 'intruder', at: 500, code: 'UNAUTHORIZED' },
      { type: 'elicitation.answered', agent: 'reviewer', at: 1000, code: null },
    ]);
    expect(history.events.map((event) => event.summary)).toEqual([
      'planner asked reviewer: "Deploy release 42 to production?"',
      'accept by intruder refused: UNAUTHORIZED',
      'reviewer answered',
    ]);
    expect(history.events[2]!.data).toEqual({ by: 'reviewer', content: { approved: true } });
    const positions = history.events.map((event) => event.position!);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('tells an expiry as the clock, and a withdrawal as the requester', () => {
    const expired = aggregate.history(aggregate.search('rollback-41').matches[0]!.id)!;
    expect(expired.events.at(-1)).toMatchObject({ type: 'elicitation.expired', agent: null, time: scenarioEpoch + 30_000 });

    const withdrawn = aggregate.history(aggregate.search('hotfix-7').matches[0]!.id)!;
    expect(withdrawn.elicitation).toMatchObject({ state: 'rejected', reason: 'withdrawn' });
    expect(withdrawn.events.at(-1)).toMatchObject({ type: 'elicitation.rejected', agent: 'triage-bot', summary: 'triage-bot withdrew' });
  });

  it('returns undefined for an unknown id', () => {
    expect(aggregate.history('00000000-0000-0000-0000-000000000000')).toBeUndefined();
  });

  it('keeps the latest events in log order', () => {
    const recent = aggregate.recentEvents();
    expect(recent).toHaveLength(report.events);
    expect(recent.map((entry) => entry.position)).toEqual(Array.from({ length: report.events }, (_, index) => index + 1));
    expect(aggregate.recentEvents(2).map((entry) => entry.position)).toEqual([report.events - 1, report.events]);
  });

  it('applies each position once', async () => {
    const before = aggregate.summary();
    for (const event of store.read(0)) aggregate.apply(event);
    expect(aggregate.summary()).toEqual(before);
  });
});

describe('inspector aggregate at 100,000 elicitations', () => {
  const elicitationCount = 100_000;
  const aggregate = new InspectorAggregate();
  let position = 0;

  const event = (fields: Omit<DomainEvent, 'position' | 'eventId' | 'causationId' | 'correlationId'>): DomainEvent =>
    ({ ...fields, position: asEventPosition(++position), eventId: `event-${position}`, causationId: 'cause', correlationId: 'correlation' }) as DomainEvent;

  beforeAll(() => {
    const schema = { type: 'object' };
    for (let index = 0; index < elicitationCount; index++) {
      const id = asElicitationId(`elicitation-${String(index).padStart(6, '0')}`);
      const requester = asAgentId(`requester-${index % 500}`);
      aggregate.apply(event({ type: 'elicitation.requested', elicitationId: id, version: 1, time: index, data: { from: requester, to: asAgentId('reviewer'), message: `question ${index}`, schema, deadline: index + 60_000, metadata: { ref: `q${index}` } } }));
      if (index % 2 === 0) aggregate.apply(event({ type: 'elicitation.answered', elicitationId: id, version: 2, time: index + 1, data: { by: asAgentId('reviewer'), content: { approved: true } } }));
      if (index % 10 === 0) aggregate.apply(event({ type: 'security.refused', elicitationId: null, version: null, time: index, data: { agent: asAgentId(`intruder-${index % 1000}`), command: 'accept', code: 'UNAUTHORIZED', elicitationId: id } }));
    }
  });

  it('counts them all', () => {
    const summary = aggregate.summary();
    expect(summary.elicitations).toBe(elicitationCount);
    expect(summary.counts).toEqual({ pending: elicitationCount / 2, answered: elicitationCount / 2, rejected: 0, expired: 0 });
    expect(summary.refusals.total).toBe(elicitationCount / 10);
    expect(summary.refusals.agents).toBe(100);
  });

  it('sends a page a summary of the same size as for a few', () => {
    const summary = aggregate.summary();
    expect(summary.refusals.topAgents).toHaveLength(10);
    expect(JSON.stringify(summary).length).toBeLessThan(4_000);
    expect(aggregate.recentEvents().length).toBe(200);
  });

  it('lists at most the limit for an agent with every elicitation', () => {
    const result = aggregate.search('reviewer');
    expect(result.total).toBe(elicitationCount);
    expect(result.matches).toHaveLength(50);
    expect(result.matches[0]!.ref).toBe(`q${elicitationCount - 1}`);
    expect(aggregate.search(`q${elicitationCount - 1}`).total).toBe(1);
  });
});
