/**
 * One model-based run: a fresh runtime and reference model, the generated commands, and
 * the log checks at the end. The runtime is stopped even when a command fails.
 */
import * as fc from 'fast-check';
import type { ModelCommand } from './commandArbitraries.js';
import { expectLogKeepsContracts } from './logInvariants.js';
import { ReferenceModel, type RateLimitSettings, type SecurityLevel } from './referenceModel.js';
import { startRuntimeUnderTest, startTime, stopRuntimeUnderTest, type MachineRunner } from './runtimeUnderTest.js';

export async function runModel(level: SecurityLevel, rateLimits: RateLimitSettings, commands: Iterable<ModelCommand>, runner: MachineRunner = 'stepper'): Promise<void> {
  const model = new ReferenceModel(level, startTime, rateLimits);
  const real = await startRuntimeUnderTest(level, rateLimits, runner);
  try {
    await fc.asyncModelRun(() => ({ model, real }), commands);
    await expectLogKeepsContracts(model, real);
  } finally {
    await stopRuntimeUnderTest(real);
  }
}
