/**
 * The `request` command of the model-based tests: one agent asks another (possibly
 * itself) for content matching one of the pool's schemas, within a short timeout.
 */
import type * as fc from 'fast-check';
import { expect } from 'vitest';
import { elapsed, expectDurable, expectRuntimeMatchesModel, outcomeOf } from './expectations.js';
import type { ReferenceModel } from './referenceModel.js';
import type { RuntimeUnderTest } from './runtimeUnderTest.js';
import { schemaPool, type SchemaName } from './schemaPool.js';

export class RequestCommand implements fc.AsyncCommand<ReferenceModel, RuntimeUnderTest> {
  constructor(
    readonly from: string,
    readonly to: string,
    readonly schemaName: SchemaName,
    readonly timeoutMs: number,
  ) {}

  check(): boolean {
    return true;
  }

  async run(model: ReferenceModel, real: RuntimeUnderTest): Promise<void> {
    const label = `${this.toString()} at ${elapsed(model)}`;
    const expected = model.request(this);

    const { outcome, value } = await outcomeOf(
      real.runtime.request({ from: this.from, to: this.to, message: 'Deploy?', schema: schemaPool[this.schemaName].schema, timeoutMs: this.timeoutMs }),
    );
    expect(outcome, label).toBe(expected);

    if (value !== undefined) {
      const modelElicitation = model.elicitations.at(-1)!;
      expect(value.deadline, `deadline of ${label}`).toBe(modelElicitation.deadline);
      expect(value.responseToken !== undefined, `${label} returns a response token only at strict`).toBe(model.level === 'strict');
      real.ids.push(value.id);
      real.tokens.push(value.responseToken);
      await expectDurable(real, value.id, 'elicitation.requested', label);
    }
    expectRuntimeMatchesModel(model, real, label);
  }

  toString(): string {
    return `request(${this.from}->${this.to}, ${this.schemaName}, ${this.timeoutMs}ms)`;
  }
}
