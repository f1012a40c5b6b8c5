/**
 * One timer structure for every deadline of a runtime: an indexed binary min-heap ordered
 * by due time, then by the order the timers were set. Setting and clearing cost O(log n),
 * so a million pending deadlines need no Node timer each and a cleared one leaves no garbage.
 */

/** A timer set on the queue; clear it with `TimerQueue.clear`. */
export interface TimerEntry {
  readonly due: number;
  readonly sequence: number;
  /** The function the timer calls, with `key`, when it fires. */
  readonly callback: (key: string) => void;
  /** The argument of `callback`, so that one function serves many timers without a closure each. */
  readonly key: string;
  /** Position in the heap array, or -1 once fired or cleared. */
  index: number;
}

export class TimerQueue {
  private readonly heap: TimerEntry[] = [];
  private nextSequence = 0;

  get size(): number {
    return this.heap.length;
  }

  /** The due time of the earliest timer, or `undefined` when none is set. */
  peekDue(): number | undefined {
    return this.heap[0]?.due;
  }

  add(due: number, callback: (key: string) => void, key = ''): TimerEntry {
    const entry: TimerEntry = { due, sequence: this.nextSequence++, callback, key, index: this.heap.length };
    this.heap.push(entry);
    this.siftUp(entry.index);
    return entry;
  }

  clear(entry: TimerEntry): void {
    const index = entry.index;
    if (index < 0 || this.heap[index] !== entry) return;

    const last = this.heap.pop()!;
    entry.index = -1;
    if (last === entry) return;

    this.heap[index] = last;
    last.index = index;
    this.siftDown(index);
    this.siftUp(last.index);
  }

  /** Removes and returns the earliest timer if it is due at or before `time`. */
  takeDue(time: number): TimerEntry | undefined {
    const first = this.heap[0];
    if (first === undefined || first.due > time) return undefined;
    this.clear(first);
    return first;
  }

  private precedes(a: TimerEntry, b: TimerEntry): boolean {
    return a.due < b.due || (a.due === b.due && a.sequence < b.sequence);
  }

  private siftUp(start: number): void {
    let index = start;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.precedes(this.heap[index]!, this.heap[parent]!)) return;
      this.swap(index, parent);
      index = parent;
    }
  }

  private siftDown(start: number): void {
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < this.heap.length && this.precedes(this.heap[left]!, this.heap[smallest]!)) smallest = left;
      if (right < this.heap.length && this.precedes(this.heap[right]!, this.heap[smallest]!)) smallest = right;
      if (smallest === index) return;
      this.swap(index, smallest);
      index = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const first = this.heap[a]!;
    const second = this.heap[b]!;
    this.heap[a] = second;
    this.heap[b] = first;
    second.index = a;
    first.index = b;
  }
}
