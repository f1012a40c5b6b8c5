/**
 * Unit tests of the runtime's clocks: the simulated clock used by scenario runs and tests,
 * and the system clock, which arms one Node timer for the earliest deadline.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimulatedClock, SystemClock } from '../../src/runtime/clock.js';

const startTime = Date.UTC(2026, 0, 1);
const maxNodeTimerDelay = 2 ** 31 - 1;

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

describe('SimulatedClock', () => {
  it('now starts at start time', () => {
    const clock = new SimulatedClock(startTime);

    expect(clock.now()).toBe(startTime);
  });

  it('rejects an invalid start time', () => {
    for (const startTime of [undefined, Number.NaN, '2026-01-01']) {
      expect(() => new SimulatedClock(startTime as never)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    }
  });

  it('advanceTo fires timers at due time', () => {
    const clock = new SimulatedClock(startTime);
    const firedAt: number[] = [];
    clock.setTimeout(() => firedAt.push(clock.now()), 20);
    clock.setTimeout(() => firedAt.push(clock.now()), 10);

    clock.advanceTo(startTime + 100);

    expect(firedAt).toEqual([startTime + 10, startTime + 20]);
    expect(clock.now()).toBe(startTime + 100);
  });

  it('timer due at target fires', () => {
    const clock = new SimulatedClock(startTime);
    const firedAt: number[] = [];
    clock.setTimeout(() => firedAt.push(clock.now()), 50);

    clock.advanceTo(startTime + 50);

    expect(firedAt).toEqual([startTime + 50]);
  });

  it('later timers wait for their time', () => {
    const clock = new SimulatedClock(startTime);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('early'), 10);
    clock.setTimeout(() => fired.push('late'), 51);

    clock.advanceTo(startTime + 50);

    expect(fired).toEqual(['early']);
    expect(clock.pendingTimers).toBe(1);
  });

  it('equal due fires in set order', () => {
    const clock = new SimulatedClock(startTime);
    const fired: string[] = [];
    for (const label of ['a', 'b', 'c']) clock.setTimeout(() => fired.push(label), 10);

    clock.advanceBy(10);

    expect(fired).toEqual(['a', 'b', 'c']);
  });

  it('keyed timers call one callback with their keys', () => {
    const clock = new SimulatedClock(startTime);
    const fired: string[] = [];
    const record = (key: string) => fired.push(`${key}@${clock.now() - startTime}`);
    clock.setKeyedTimeout(record, 'b', 20);
    clock.setKeyedTimeout(record, 'a', 10);
    const cleared = clock.setKeyedTimeout(record, 'c', 15);

    clock.clearTimeout(cleared);
    clock.advanceTo(startTime + 100);

    expect(fired).toEqual(['a@10', 'b@20']);
  });

  it('timer set while firing runs', () => {
    const clock = new SimulatedClock(startTime);
    const firedAt: number[] = [];
    clock.setTimeout(() => {
      firedAt.push(clock.now());
      clock.setTimeout(() => firedAt.push(clock.now()), 5);
    }, 10);

    clock.advanceTo(startTime + 100);

    expect(firedAt).toEqual([startTime + 10, startTime + 15]);
  });

  it('advanceTo never moves backwards', () => {
    const clock = new SimulatedClock(startTime);
    const firedAt: number[] = [];
    clock.setTimeout(() => firedAt.push(clock.now()), 80);
    clock.advanceTo(startTime + 50);

    clock.advanceTo(startTime + 10);
    expect(clock.now()).toBe(startTime + 50);

    clock.advanceTo(startTime + 80);
    expect(firedAt).toEqual([startTime + 80]);
  });

  it('advanceBy moves time forward', () => {
    const clock = new SimulatedClock(startTime);

    clock.advanceBy(250);
    clock.advanceBy(0);

    expect(clock.now()).toBe(startTime + 250);
  });

  it('cleared timer never fires', () => {
    const clock = new SimulatedClock(startTime);
    const fired: string[] = [];
    const handle = clock.setTimeout(() => fired.push('cleared'), 10);
    clock.setTimeout(() => fired.push('kept'), 20);

    clock.clearTimeout(handle);
    clock.advanceTo(startTime + 100);

    expect(fired).toEqual(['kept']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('negative delay is due now', () => {
    const clock = new SimulatedClock(startTime);
    const firedAt: number[] = [];
    clock.setTimeout(() => firedAt.push(clock.now()), -500);

    clock.fireDue();

    expect(firedAt).toEqual([startTime]);
    expect(clock.now()).toBe(startTime);
  });

  it('fireDue leaves future timers', () => {
    const clock = new SimulatedClock(startTime);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('now'), 0);
    clock.setTimeout(() => fired.push('later'), 1);

    clock.fireDue();

    expect(fired).toEqual(['now']);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.now()).toBe(startTime);
  });
});

describe('SystemClock', () => {
  const clocks: SystemClock[] = [];

  function systemClock(): SystemClock {
    const clock = new SystemClock();
    clocks.push(clock);
    return clock;
  }

  afterEach(() => {
    for (const clock of clocks.splice(0)) clock.dispose();
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('now reads the wall clock', () => {
    const clock = systemClock();
    const before = Date.now();

    const now = clock.now();

    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('short timer fires on real clock', async () => {
    const clock = systemClock();
    const firedAt: number[] = [];
    const entry = clock.setTimeout(() => firedAt.push(clock.now()), 20);

    await sleep(80);

    expect(firedAt).toHaveLength(1);
    expect(firedAt[0]).toBeGreaterThanOrEqual(entry.due);
  });

  it('timers fire earliest first', async () => {
    const clock = systemClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('late'), 30);
    clock.setTimeout(() => fired.push('early'), 5);

    await sleep(80);

    expect(fired).toEqual(['early', 'late']);
  });

  it('keyed timer fires with its key', async () => {
    const clock = systemClock();
    const fired: string[] = [];
    clock.setKeyedTimeout((key) => fired.push(key), 'late', 30);
    clock.setKeyedTimeout((key) => fired.push(key), 'early', 5);

    await sleep(80);

    expect(fired).toEqual(['early', 'late']);
  });

  it('cleared timer does not fire', async () => {
    const clock = systemClock();
    const fired: string[] = [];
    const handle = clock.setTimeout(() => fired.push('cleared'), 10);
    clock.setTimeout(() => fired.push('kept'), 20);

    clock.clearTimeout(handle);
    await sleep(60);

    expect(fired).toEqual(['kept']);
  });

  it('burst of due timers yields to the event loop', async () => {
    const clock = systemClock();
    const order: string[] = [];
    const spinFor = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    // 400 timers of 0.1 ms each take about 40 ms, four times the 10 ms slice.
    for (let index = 0; index < 400; index++) {
      clock.setTimeout(() => {
        if (index === 0) setImmediate(() => order.push('event loop turn'));
        spinFor(0.1);
        order.push(`timer ${index}`);
      }, 5);
    }

    await sleep(200);

    const turn = order.indexOf('event loop turn');
    expect(order.filter((entry) => entry.startsWith('timer'))).toEqual(Array.from({ length: 400 }, (_, index) => `timer ${index}`));
    expect(turn).toBeGreaterThan(0);
    expect(turn).toBeLessThan(order.length - 1);
  });

  it('command path fires a whole burst at once', () => {
    vi.useFakeTimers({ now: startTime });
    const clock = systemClock();
    let fired = 0;
    for (let index = 0; index < 200; index++) clock.setTimeout(() => (fired += 1), 5);

    vi.setSystemTime(startTime + 10);
    clock.fireDue();

    expect(fired).toBe(200);
  });

  it('huge delay waits without spinning', async () => {
    // Node clamps a delay above 2^31-1 ms to 1 ms, so an unsplit wait would spin every millisecond.
    const nodeSetTimeout = vi.spyOn(globalThis, 'setTimeout');
    const clock = systemClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('huge'), maxNodeTimerDelay + 1_000);

    await sleep(50);

    const longDelays = nodeSetTimeout.mock.calls.map(([, delay]) => delay ?? 0).filter((delay) => delay > 1_000);
    expect(fired).toEqual([]);
    expect(longDelays).toEqual([maxNodeTimerDelay]);
  });

  it('huge delay fires when due', () => {
    vi.useFakeTimers({ now: startTime });
    const clock = systemClock();
    const firedAt: number[] = [];
    const delay = maxNodeTimerDelay + 5_000;
    clock.setTimeout(() => firedAt.push(Date.now()), delay);

    vi.advanceTimersByTime(maxNodeTimerDelay);
    expect(firedAt).toEqual([]);

    vi.advanceTimersByTime(delay - maxNodeTimerDelay);
    expect(firedAt).toEqual([startTime + delay]);
  });

  it('earlier timer rearms the Node timer', () => {
    vi.useFakeTimers({ now: startTime });
    const clock = systemClock();
    const firedAt: number[] = [];
    clock.setTimeout(() => firedAt.push(Date.now()), 1_000);
    clock.setTimeout(() => firedAt.push(Date.now()), 100);

    vi.advanceTimersByTime(1_000);

    expect(firedAt).toEqual([startTime + 100, startTime + 1_000]);
  });

  it('dispose keeps timers for fireDue', async () => {
    const clock = systemClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('queued'), 10);

    clock.dispose();
    await sleep(40);
    expect(fired).toEqual([]);

    clock.fireDue();
    expect(fired).toEqual(['queued']);
  });
});
