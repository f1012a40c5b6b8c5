/** A fixed-capacity buffer that keeps the latest items and drops the oldest. */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`a ring buffer needs a capacity of at least 1, not ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    this.length = Math.min(this.length + 1, this.capacity);
  }

  /** Returns the latest `count` items (all by default), oldest first. */
  latest(count = this.length): T[] {
    const taken = Math.min(count, this.length);
    const latest: T[] = [];
    for (let offset = taken; offset > 0; offset--) latest.push(this.items[(this.next - offset + this.capacity) % this.capacity] as T);
    return latest;
  }

  clear(): void {
    this.items.fill(undefined);
    this.next = 0;
    this.length = 0;
  }

  get size(): number {
    return this.length;
  }
}
