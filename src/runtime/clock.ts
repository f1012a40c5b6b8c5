/**
 * The runtime's clock: the only source of time for deadlines, rate limits and event
 * timestamps. It is also the clock handed to every XState actor, so each pending `after`
 * transition is an entry in one timer queue rather than a Node timer of its own.
 */
import { ElicitationError } from './errors.js';
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
  /**
   * Like `setTimeout`, but calls `callback(key)`. The supervisor sets one deadline per
   * pending elicitation with one shared callback, so a deadline costs no closure of its own.
   */
  setKeyedTimeout(callback: (key: string) => void, key: string, delayMs: number): TimerEntry;
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

  /** Starts the clock at `startTime`, in epoch milliseconds. */
  constructor(startTime: number) {
    if (typeof startTime !== 'number' || !Number.isFinite(startTime)) {
      throw new ElicitationError('INVALID_REQUEST', `invalid start time ${String(startTime)}: a SimulatedClock needs epoch milliseconds, such as Date.UTC(2026, 0, 1)`);
    }
    this.time = startTime;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, delayMs: number): TimerEntry {
    return this.setKeyedTimeout(callback, '', delayMs);
  }

  setKeyedTimeout(callback: (key: string) => void, key: string, delayMs: number): TimerEntry {
    return this.timers.add(this.time + Math.max(0, delayMs), callback, key);
  }

  clearTimeout(handle: TimerEntry): void {
    this.timers.clear(handle);
  }

  fireDue(): void {
    for (let entry = this.timers.takeDue(this.time); entry; entry = this.timers.takeDue(this.time)) entry.callback(entry.key);
  }

  /**
   * Moves time forward to `time`, firing each timer due on the way at its own due time,
   * so an `expired` event is stamped with its deadline. Time never moves backwards.
   */
  advanceTo(time: number): void {
    for (let entry = this.timers.takeDue(time); entry; entry = this.timers.takeDue(time)) {
      this.time = Math.max(this.time, entry.due);
      entry.callback(entry.key);
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

/**
 * How long the wall-clock timer fires due timers before it lets the event loop run, in ms.
 * Between slices of a burst of deadlines, I/O and store commits go on. A command that
 * arrives mid-burst still fires every deadline due before it runs, as the time rule
 * requires, so it waits for the rest of the burst.
 */
const firingSliceMs = 10;
/** How many timers fire between two reads of the elapsed time within a slice. */
const timersPerSliceCheck = 64;

/** The wall clock, with one Node timer armed for the earliest deadline of all. */
export class SystemClock implements RuntimeClock {
  private readonly timers = new TimerQueue();
  private armed: { due: number; timer: NodeJS.Timeout } | undefined;
  /** Set while a burst of due timers goes on in slices; `arm` sets no Node timer meanwhile, but a timer callback may have set one. */
  private nextSlice: NodeJS.Immediate | undefined;

  now(): number {
    return Date.now();
  }

  setTimeout(callback: () => void, delayMs: number): TimerEntry {
    return this.setKeyedTimeout(callback, '', delayMs);
  }

  setKeyedTimeout(callback: (key: string) => void, key: string, delayMs: number): TimerEntry {
    const entry = this.timers.add(this.now() + Math.max(0, delayMs), callback, key);
    this.arm();
    return entry;
  }

  clearTimeout(handle: TimerEntry): void {
    this.timers.clear(handle);
  }

  fireDue(): void {
    const now = this.now();
    for (let entry = this.timers.takeDue(now); entry; entry = this.timers.takeDue(now)) entry.callback(entry.key);
    this.arm();
  }

  /** Cancels the Node timer; the queued deadlines stay and fire on the next `fireDue`. */
  dispose(): void {
    if (this.armed) clearTimeout(this.armed.timer);
    this.armed = undefined;
    if (this.nextSlice) clearImmediate(this.nextSlice);
    this.nextSlice = undefined;
  }

  /**
   * Fires the timers due now, like `fireDue`, but for at most `firingSliceMs` at a time: when
   * more are due, the rest fire from `setImmediate`, after the event loop has run once.
   */
  private fireDueInSlices(): void {
    // The Node timer can fire while a slice is queued, if a callback armed it; one run does for both.
    if (this.nextSlice) clearImmediate(this.nextSlice);
    this.nextSlice = undefined;
    const now = this.now();
    const sliceEnd = performance.now() + firingSliceMs;
    let fired = 0;
    for (let entry = this.timers.takeDue(now); entry; entry = this.timers.takeDue(now)) {
      entry.callback(entry.key);
      fired += 1;
      if (fired % timersPerSliceCheck === 0 && performance.now() >= sliceEnd && this.timers.peekDue()! <= now) {
        this.nextSlice = setImmediate(() => this.fireDueInSlices());
        // Like the Node timer, a burst in progress does not keep the host process alive.
        this.nextSlice.unref();
        return;
      }
    }
    this.arm();
  }

  private arm(): void {
    if (this.nextSlice) return;
    const due = this.timers.peekDue();
    if (due === undefined || (this.armed && this.armed.due <= due)) return;

    if (this.armed) clearTimeout(this.armed.timer);
    const delay = Math.min(Math.max(0, due - this.now()), maxNodeTimerDelay);
    const timer = setTimeout(() => {
      this.armed = undefined;
      this.fireDueInSlices();
    }, delay);
    // Pending deadlines alone do not keep the host process alive; the host decides that.
    timer.unref();
    this.armed = { due, timer };
  }
}
