/**
 * The runtime's clock: the only source of time for deadlines, rate limits and event
 * timestamps. It is also the clock handed to every XState actor, so each pending `after`
 * transition is an entry in one timer queue rather than a Node timer of its own.
 */
import { TimerQueue, type TimerEntry } from './timerQueue.js';

/** What XState asks of a clock (`createActor(machine, { clock })`); xstate 5.33 does not export the type. */
interface XStateClock {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface RuntimeClock extends XStateClock {
  /** Epoch milliseconds. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerEntry;
  clearTimeout(handle: TimerEntry): void;
  /**
   * Fires every timer due at or before `now()`, earliest first (ties in the order they
   * were set). The runtime calls it before each command, so a deadline that has passed
   * always fires before a command that arrives after it.
   */
  fireDue(): void;
}

/** A clock whose time moves only when told to: for scenario runs and tests. */
export class SimulatedClock implements RuntimeClock {
  private readonly timers = new TimerQueue();
  private time: number;

  constructor(startTime: number) {
    this.time = startTime;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, delayMs: number): TimerEntry {
    return this.timers.add(this.time + Math.max(0, delayMs), callback);
  }

  clearTimeout(handle: TimerEntry): void {
    this.timers.clear(handle);
  }

  fireDue(): void {
    for (let entry = this.timers.takeDue(this.time); entry; entry = this.timers.takeDue(this.time)) entry.callback();
  }

  /**
   * Moves time forward to `time`, firing each timer due on the way at its own due time,
   * so an `expired` event is stamped with its deadline. Time never moves backwards.
   */
  advanceTo(time: number): void {
    for (let entry = this.timers.takeDue(time); entry; entry = this.timers.takeDue(time)) {
      this.time = Math.max(this.time, entry.due);
      entry.callback();
    }
    this.time = Math.max(this.time, time);
  }

  advanceBy(milliseconds: number): void {
    this.advanceTo(this.time + milliseconds);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }
}

/** Node's `setTimeout` fires at once for delays above this, so longer waits are split. */
const maxNodeTimerDelay = 2 ** 31 - 1;

/** The wall clock, with one Node timer armed for the earliest deadline of all. */
export class SystemClock implements RuntimeClock {
  private readonly timers = new TimerQueue();
  private armed: { due: number; timer: NodeJS.Timeout } | undefined;

  now(): number {
    return Date.now();
  }

  setTimeout(callback: () => void, delayMs: number): TimerEntry {
    const entry = this.timers.add(this.now() + Math.max(0, delayMs), callback);
    this.arm();
    return entry;
  }

  clearTimeout(handle: TimerEntry): void {
    this.timers.clear(handle);
  }

  fireDue(): void {
    const now = this.now();
    for (let entry = this.timers.takeDue(now); entry; entry = this.timers.takeDue(now)) entry.callback();
    this.arm();
  }

  /** Cancels the Node timer; the queued deadlines stay and fire on the next `fireDue`. */
  dispose(): void {
    if (this.armed) clearTimeout(this.armed.timer);
    this.armed = undefined;
  }

  private arm(): void {
    const due = this.timers.peekDue();
    if (due === undefined || (this.armed && this.armed.due <= due)) return;

    if (this.armed) clearTimeout(this.armed.timer);
    const delay = Math.min(Math.max(0, due - this.now()), maxNodeTimerDelay);
    const timer = setTimeout(() => {
      this.armed = undefined;
      this.fireDue();
    }, delay);
    // Pending deadlines alone do not keep the host process alive; the host decides that.
    timer.unref();
    this.armed = { due, timer };
  }
}
