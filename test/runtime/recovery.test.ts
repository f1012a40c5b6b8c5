import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createElicitationRuntime, readAll, replay, SimulatedClock } from '../../src/index.js';
import { SqliteEventStore } from '../../src/store/sqliteEventStore.js';

const start = Date.UTC(2026, 0, 1);
const schema = { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] };

const folders: string[] = [];

function storeFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'elicit-recovery-'));
  folders.push(folder);
  return join(folder, 'store.db');
}

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('recovery from the store', () => {
  it('keeps pending elicitations and their deadlines across a restart', async () => {
    const path = storeFile();
    const firstClock = new SimulatedClock(start);
    const first = await createElicitationRuntime({ store: new SqliteEventStore(path), clock: firstClock });
    const short = await first.request({ from: 'alice', to: 'bob', message: 'Short', schema, timeoutMs: 1_000 });
    const long = await first.request({ from: 'alice', to: 'bob', message: 'Long', schema, timeoutMs: 60_000 });
    const answered = await first.request({ from: 'carol', to: 'bob', message: 'Answered', schema, timeoutMs: 60_000 });
    await first.accept({ id: answered.id, agent: 'bob', content: { approved: true } });
    await first.stop();

    const secondClock = new SimulatedClock(start + 5_000);
    const second = await createElicitationRuntime({ store: new SqliteEventStore(path), clock: secondClock });

    expect(second.get(short.id)?.state).toBe('expired');
    expect(second.get(short.id)?.state === 'expired' && second.get(short.id)).toMatchObject({ settledAt: start + 5_000 });
    expect(second.get(long.id)?.state).toBe('pending');
    expect(second.get(long.id)?.deadline).toBe(start + 60_000);
    expect(second.get(answered.id)?.state).toBe('answered');
    expect(second.pending('bob').map((elicitation) => elicitation.id)).toEqual([long.id]);

    secondClock.advanceTo(start + 59_999);
    await second.accept({ id: long.id, agent: 'bob', content: { approved: false } });
    expect(second.get(long.id)?.state).toBe('answered');
    await second.stop();
  });

  it('fires a recovered deadline at its original time', async () => {
    const path = storeFile();
    const first = await createElicitationRuntime({ store: new SqliteEventStore(path), clock: new SimulatedClock(start) });
    const { id } = await first.request({ from: 'alice', to: 'bob', message: 'Later', schema, timeoutMs: 10_000 });
    await first.stop();

    const clock = new SimulatedClock(start + 2_000);
    const second = await createElicitationRuntime({ store: new SqliteEventStore(path), clock });
    clock.advanceTo(start + 9_999);
    expect(second.get(id)?.state).toBe('pending');
    clock.advanceTo(start + 10_000);
    const settled = await second.settled(id);

    expect(settled.state).toBe('expired');
    expect(settled.state === 'expired' && settled.settledAt).toBe(start + 10_000);
    await second.stop();
  });

  it('rebuilds exactly the state a replay of the log gives', async () => {
    const path = storeFile();
    const clock = new SimulatedClock(start);
    const runtime = await createElicitationRuntime({ store: new SqliteEventStore(path), clock });
    const ids: string[] = [];
    for (let index = 0; index < 12; index++) {
      const { id } = await runtime.request({ from: `agent-${index % 3}`, to: `agent-${(index + 1) % 3}`, message: `question ${index}`, schema, timeoutMs: 100 * (index + 1) });
      ids.push(id);
    }
    await runtime.decline({ id: ids[0]!, agent: 'agent-1' });
    await runtime.withdraw({ id: ids[1]!, agent: 'agent-1' });
    await runtime.accept({ id: ids[2]!, agent: 'agent-0', content: { approved: true } });
    clock.advanceBy(450);
    await runtime.stop();

    const store = new SqliteEventStore(path);
    const replayed = await replay(await readAll(store));
    store.close();
    const restarted = await createElicitationRuntime({ store: new SqliteEventStore(path), clock: new SimulatedClock(start + 450) });

    for (const id of ids) expect(restarted.get(id)).toEqual(replayed.get(id as never));
    expect([...restarted.elicitations()].length).toBe(12);
    await restarted.stop();
  });
});
