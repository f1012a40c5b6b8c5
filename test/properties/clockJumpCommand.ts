/**
 * The clock command of the model-based tests: moves the simulated clock by a random
 * amount, or to one millisecond before, exactly onto, or one past a pending deadline.
 */
import type * as fc from 'fast-check';
import { elapsed, expectRuntimeMatchesModel } from './expectations.js';
import type { ReferenceModel } from './referenceModel.js';
import { startTime, type RuntimeUnderTest } from './runtimeUnderTest.js';

export type ClockJump =
  | { readonly kind: 'by'; readonly milliseconds: number }
  /** To the deadline of the `pick`-th pending elicitation (modulo their number), plus `offset`. */
  | { readonly kind: 'toDeadline'; readonly pick: number; readonly offset: -1 | 0 | 1 }
  /** To the earliest pending deadline, plus `offset`. */
  | { readonly kind: 'toNextDeadline'; readonly offset: -1 | 0 | 1 };

export class ClockJumpCommand implements fc.AsyncCommand<ReferenceModel, RuntimeUnderTest> {
  constructor(readonly jump: ClockJump) {}

  check(): boolean {
    return true;
  }

  async run(model: ReferenceModel, real: RuntimeUnderTest): Promise<void> {
    const target = this.targetTime(model);
    const label = `${this.toString()} from ${elapsed(model)} to t=+${target - startTime}ms`;

    model.advanceTo(target);
    real.clock.advanceTo(target);

    // Expiry events are appended during the jump; a tick lets their batch reach the store.
    await new Promise((resolve) => setImmediate(resolve));
    expectRuntimeMatchesModel(model, real, label);
  }

  toString(): string {
    switch (this.jump.kind) {
      case 'by':
        return `advanceBy(${this.jump.milliseconds}ms)`;
      case 'toDeadline':
        return `advanceTo(deadline of pending pick ${this.jump.pick} ${signed(this.jump.offset)}ms)`;
      case 'toNextDeadline':
        return `advanceTo(next deadline ${signed(this.jump.offset)}ms)`;
    }
  }

  /** Computes where the jump lands from the model's pending deadlines. A jump with no deadline to aim at stays put. */
  private targetTime(model: ReferenceModel): number {
    const deadlines = model.pendingElicitations().map((elicitation) => elicitation.deadline);
    switch (this.jump.kind) {
      case 'by':
        return model.now + this.jump.milliseconds;
      case 'toDeadline':
        return deadlines.length === 0 ? model.now : deadlines[this.jump.pick % deadlines.length]! + this.jump.offset;
      case 'toNextDeadline':
        return deadlines.length === 0 ? model.now : Math.min(...deadlines) + this.jump.offset;
    }
  }
}

function signed(offset: number): string {
  return offset < 0 ? `${offset}` : `+${offset}`;
}
