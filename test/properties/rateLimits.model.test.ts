/**
 * Model-based tests with small rate limits: bursts of 1 to 3 tokens and refills that clock
 * jumps reach, so `RATE_LIMITED` comes first in the order of checks and its audit event
 * lands in the log where the model's token buckets predict.
 */
import * as fc from 'fast-check';
import { describe, it } from 'vitest';
import { commandSequences, smallRateLimits } from './commandArbitraries.js';
import { assertParameters, testTimeoutMs } from './propertySettings.js';
import type { SecurityLevel } from './referenceModel.js';
import { runModel } from './runModel.js';

const levels: readonly SecurityLevel[] = ['standard', 'strict'];

describe.each(levels)('runtime with small rate limits at security %s', (level) => {
  it(
    'follows the reference model',
    async () => {
      const property = fc.asyncProperty(smallRateLimits, commandSequences(), (rateLimits, commands) => runModel(level, rateLimits, commands));
      await fc.assert(property, assertParameters());
    },
    testTimeoutMs(),
  );
});
