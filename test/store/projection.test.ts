/**
 * Unit tests of the projection: a hand-written log replayed into records, counts and
 * the pending list of each responder, and the logs it must reject as corrupt.
 */
import { describe, expect, it } from 'vitest';
import { asAgentId, asElicitationId, asEventPosition, type ElicitationId } from '../../src/runtime/ids.js';
import type { DomainEvent, RejectionReason } from '../../src/store/domainEvent.js';
import { CorruptLogError, ElicitationProjection, replay } from '../../src/store/projection.js';

const startTime = Date.UTC(2026, 0, 1);
const schema = { type: 'object', properties: { approved: { type: 'boolean' } } };

let nextPosition = 1;

function stored<Event extends Omit<DomainEvent, 'position'>>(event: Event): DomainEvent {
  return { ...event, position: asEventPosition(nextPosition++) } as unknown as DomainEvent;
}

function requested(id: string, to: string, time: number): DomainEvent {
  return stored({
    eventId: `event-requested-${id}`,
    type: 'elicitation.requested',
    elicitationId: asElicitationId(id),
    version: 1,
    time,
    causationId: `command-${id}`,
    correlationId: `correlation-${id}`,
    data: { from: asAgentId('alice'), to: asAgentId(to), message: `Question ${id}`, schema, deadline: time + 30_000, metadata: { ref: id } },
  });
}

function answered(id: string, time: number, version = 2): DomainEvent {
  return stored({
    eventId: `event-answered-${id}-${version}`,
    type: 'elicitation.answered',
    elicitationId: asElicitationId(id),
    version,
    time,
    causationId: `accept-${id}`,
    correlationId: `correlation-${id}`,
    data: { by: asAgentId('bob'), content: { approved: true } },
  });
}

function rejected(id: string, by: string, reason: RejectionReason, time: number, version = 2): DomainEvent {
  return stored({
    eventId: `event-rejected-${id}-${version}`,
    type: 'elicitation.rejected',
    elicitationId: asElicitationId(id),
    version,
    time,
    causationId: `${reason}-${id}`,
    correlationId: `correlation-${id}`,
    data: { by: asAgentId(by), reason },
  });
}

function expired(id: string, time: number, version = 2): DomainEvent {
  return stored({
    eventId: `event-expired-${id}-${version}`,
    type: 'elicitation.expired',
    elicitationId: asElicitationId(id),
    version,
    time,
    causationId: `deadline-${id}`,
    correlationId: `correlation-${id}`,
    data: { deadline: time },
  });
}

function refused(time: number): DomainEvent {
  return stored({
    eventId: `event-refused-${time}`,
    type: 'security.refused',
    elicitationId: null,
    version: null,
    time,
    causationId: 'command-refused',
    correlationId: 'correlation-refused',
    data: { agent: asAgentId('mallory'), command: 'accept', code: 'UNAUTHORIZED', elicitationId: asElicitationId('q1') },
  });
}

const id = (value: string): ElicitationId => asElicitationId(value);

/** Five elicitations: one answered, two rejected, one expired, one still pending, plus an audited refusal. */
function handWrittenLog(): DomainEvent[] {
  return [
    requested('q1', 'bob', startTime),
    requested('q2', 'bob', startTime + 1),
    requested('q3', 'carol', startTime + 2),
    refused(startTime + 3),
    answered('q1', startTime + 10),
    requested('q4', 'bob', startTime + 11),
    rejected('q2', 'alice', 'withdrawn', startTime + 12),
    requested('q5', 'carol', startTime + 13),
    rejected('q5', 'carol', 'declined', startTime + 14),
    expired('q3', startTime + 30_002),
  ];
}

describe('projection replay', () => {
  it('answered record has its answer', async () => {
    const projection = await replay(handWrittenLog());

    expect(projection.get(id('q1'))).toEqual({
      id: 'q1',
      from: 'alice',
      to: 'bob',
      message: 'Question q1',
      schema,
      deadline: startTime + 30_000,
      metadata: { ref: 'q1' },
      requestedAt: startTime,
      requestedEventId: 'event-requested-q1',
      correlationId: 'correlation-q1',
      version: 2,
      state: 'answered',
      by: 'bob',
      content: { approved: true },
      settledAt: startTime + 10,
    });
  });

  it('rejected record has its reason', async () => {
    const projection = await replay(handWrittenLog());
    const record = projection.get(id('q2'));

    expect(record?.state).toBe('rejected');
    expect(record?.state === 'rejected' ? record.reason : undefined).toBe('withdrawn');
    expect(record?.state === 'rejected' ? record.by : undefined).toBe('alice');
    expect(record?.state === 'rejected' ? record.settledAt : undefined).toBe(startTime + 12);
    expect(record?.version).toBe(2);
  });

  it('expired record has settle time', async () => {
    const projection = await replay(handWrittenLog());
    const record = projection.get(id('q3'));

    expect(record?.state).toBe('expired');
    expect(record?.state === 'expired' ? record.settledAt : undefined).toBe(startTime + 30_002);
  });

  it('pending record has no settlement', async () => {
    const projection = await replay(handWrittenLog());
    const record = projection.get(id('q4'));

    expect(record?.state).toBe('pending');
    expect(record?.version).toBe(1);
    expect(record).not.toHaveProperty('settledAt');
  });

  it('empty metadata is one frozen object', () => {
    const projection = new ElicitationProjection();
    for (const name of ['m1', 'm2']) {
      const event = requested(name, 'bob', startTime);
      projection.apply({ ...event, data: { ...event.data, metadata: {} } } as DomainEvent);
    }
    projection.apply(answered('m1', startTime + 1));
    projection.apply(requested('m3', 'bob', startTime));

    const [first, second, third] = ['m1', 'm2', 'm3'].map((name) => projection.get(id(name))!.metadata);
    expect(first).toEqual({});
    expect(Object.isFrozen(first)).toBe(true);
    expect(second).toBe(first);
    expect(third).toEqual({ ref: 'm3' });
    expect(Object.isFrozen(third)).toBe(false);
  });

  it('counts match the log', async () => {
    const projection = await replay(handWrittenLog());

    expect(projection.counts()).toEqual({ pending: 1, answered: 1, rejected: 2, expired: 1 });
    expect(projection.size).toBe(5);
  });

  it('pendingFor lists open requests', async () => {
    const projection = await replay(handWrittenLog());

    expect(projection.pendingFor(asAgentId('bob'))).toEqual(['q4']);
    expect(projection.pendingFor(asAgentId('carol'))).toEqual([]);
    expect(projection.pendingFor(asAgentId('nobody'))).toEqual([]);
  });

  it('pendingFor lists oldest first', async () => {
    const projection = await replay([
      requested('p1', 'bob', startTime),
      requested('p2', 'dave', startTime + 1),
      requested('p3', 'bob', startTime + 2),
      requested('p4', 'bob', startTime + 3),
      answered('p3', startTime + 4),
    ]);

    expect(projection.pendingFor(asAgentId('bob'))).toEqual(['p1', 'p4']);
    expect(projection.pendingFor(asAgentId('dave'))).toEqual(['p2']);
  });

  it('all lists records in request order', async () => {
    const projection = await replay(handWrittenLog());

    expect([...projection.all()].map((record) => record.id)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
  });

  it('refusal event changes nothing', () => {
    const projection = new ElicitationProjection();

    projection.apply(refused(startTime));

    expect(projection.size).toBe(0);
    expect(projection.counts()).toEqual({ pending: 0, answered: 0, rejected: 0, expired: 0 });
  });

  it('async iterable replays the same', async () => {
    const log = handWrittenLog();
    async function* streamed() {
      for (const event of log) yield event;
    }

    const fromArray = await replay(log);
    const fromStream = await replay(streamed());

    expect([...fromStream.all()]).toEqual([...fromArray.all()]);
  });

  it('pendingFor returns a copy', async () => {
    const projection = await replay([requested('p1', 'bob', startTime)]);

    projection.pendingFor(asAgentId('bob')).pop();

    expect(projection.pendingFor(asAgentId('bob'))).toEqual(['p1']);
  });
});

describe('projection corrupt logs', () => {
  it('second terminal event throws', async () => {
    const log = [requested('q1', 'bob', startTime), answered('q1', startTime + 1), expired('q1', startTime + 2, 3)];

    await expect(replay(log)).rejects.toBeInstanceOf(CorruptLogError);
  });

  it('terminal without request throws', async () => {
    await expect(replay([answered('q1', startTime)])).rejects.toBeInstanceOf(CorruptLogError);
  });

  it('skipped version throws', async () => {
    const log = [requested('q1', 'bob', startTime), rejected('q1', 'bob', 'declined', startTime + 1, 3)];

    await expect(replay(log)).rejects.toBeInstanceOf(CorruptLogError);
  });

  it('repeated version throws', async () => {
    const log = [requested('q1', 'bob', startTime), answered('q1', startTime + 1, 1)];

    await expect(replay(log)).rejects.toBeInstanceOf(CorruptLogError);
  });

  it('request with version two throws', async () => {
    const request = { ...requested('q1', 'bob', startTime), version: 2 } as DomainEvent;

    await expect(replay([request])).rejects.toBeInstanceOf(CorruptLogError);
  });

  it('second request throws', async () => {
    const log = [requested('q1', 'bob', startTime), requested('q1', 'bob', startTime + 1)];

    await expect(replay(log)).rejects.toBeInstanceOf(CorruptLogError);
  });

  it('corrupt error names event and position', () => {
    const projection = new ElicitationProjection();
    const orphan = answered('q9', startTime);

    expect(() => projection.apply(orphan)).toThrow(orphan.eventId);
    expect(() => projection.apply(orphan)).toThrow(`position ${orphan.position}`);
    expect(() => projection.apply(orphan)).toThrow('q9');
  });

  it('corrupt event leaves state unchanged', () => {
    const projection = new ElicitationProjection();
    projection.apply(requested('q1', 'bob', startTime));
    projection.apply(answered('q1', startTime + 1));
    const before = projection.get(id('q1'));

    expect(() => projection.apply(rejected('q1', 'bob', 'declined', startTime + 2, 3))).toThrow(CorruptLogError);
    expect(projection.get(id('q1'))).toEqual(before);
    expect(projection.counts()).toEqual({ pending: 0, answered: 1, rejected: 0, expired: 0 });
  });
});
