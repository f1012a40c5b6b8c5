/**
 * Model-based tests of the runtime: random interleavings of requests, answers, refusals
 * and clock jumps, checked command by command against the reference model at each
 * security level, with rate limits too large to interfere. The machines run on the stepper,
 * as they do without an `inspect` observer; one more run checks them on spawned actors.
 */
import * as fc from 'fast-check';
import { describe, it } from 'vitest';
import { commandSequences } from './commandArbitraries.js';
import { assertParameters, testTimeoutMs } from './propertySettings.js';
import type { SecurityLevel } from './referenceModel.js';
import { runModel } from './runModel.js';
import { unreachableRateLimits } from './runtimeUnderTest.js';

const levels: readonly SecurityLevel[] = ['off', 'standard', 'strict'];

describe.each(levels)('runtime at security %s', (level) => {
  it(
    'follows the reference model',
    async () => {
      const property = fc.asyncProperty(commandSequences(), (commands) => runModel(level, unreachableRateLimits, commands));
      await fc.assert(property, assertParameters());
    },
    testTimeoutMs(),
  );
});

describe('runtime with an inspect observer, at security strict', () => {
  it(
    'follows the reference model on spawned actors',
    async () => {
      const property = fc.asyncProperty(commandSequences(), (commands) => runModel('strict', unreachableRateLimits, commands, 'actors'));
      await fc.assert(property, assertParameters());
    },
    testTimeoutMs(),
  );
});
