/**
 * The retention of settled elicitations in memory when the runtime keeps fewer than the log
 * contains: the most recently settled ones, up to a limit. The runtime reads an older one
 * back from the store when a command or a lookup names it.
 */
import type { ElicitationId } from './ids.js';

export class SettledRetention {
  /** Settled ids in the order their terminal events became durable. Those before `head` are already dropped. */
  private order: ElicitationId[] = [];
  private head = 0;

  /** Keeps at most `limit` settled elicitations, and calls `forget` to drop one from memory. */
  constructor(private readonly limit: number, private readonly forget: (id: ElicitationId) => void) {}

  /** Records that `id` has settled durably, and drops the oldest ones past the limit. */
  settled(id: ElicitationId): void {
    this.order.push(id);
    while (this.order.length - this.head > this.limit) this.forget(this.order[this.head++]!);
    // Drops the consumed front now and then, so the array stays near the limit in length.
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  /** How many settled elicitations are in memory. */
  get size(): number {
    return this.order.length - this.head;
  }
}
