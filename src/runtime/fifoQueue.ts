/**
 * A first-in, first-out queue on a ring of slots that doubles when full. Adding and taking
 * allocate nothing except when the ring doubles. A `Set` used as a queue rebuilds its hash
 * table again and again as entries come and go.
 */
export class FifoQueue<T> {
  private slots: (T | undefined)[] = new Array<T | undefined>(16);
  /** The index of the oldest item. */
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.slots.length) this.grow();
    this.slots[(this.head + this.count) & (this.slots.length - 1)] = item;
    this.count += 1;
  }

  /** Removes and returns the oldest item, or undefined when the queue is empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & (this.slots.length - 1);
    this.count -= 1;
    return item;
  }

  /** Removes every item and returns them, oldest first. */
  drain(): T[] {
    const items: T[] = [];
    while (this.count > 0) items.push(this.shift() as T);
    return items;
  }

  private grow(): void {
    const slots = new Array<T | undefined>(this.slots.length * 2);
    for (let index = 0; index < this.count; index++) slots[index] = this.slots[(this.head + index) & (this.slots.length - 1)];
    this.slots = slots;
    this.head = 0;
  }
}
