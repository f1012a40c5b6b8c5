/**
 * Generators of command sequences for the model-based tests. Three agents and timeouts of
 * 1 to 50 ms make collisions common: the same elicitation answered twice, an answer by
 * the wrong agent, a clock jump that lands on a deadline.
 */
import * as fc from 'fast-check';
import type { BucketSettings } from './tokenBucketModel.js';
import { ClockJumpCommand, type ClockJump } from './clockJumpCommand.js';
import { agents } from './expectations.js';
import { propertySettings } from './propertySettings.js';
import type { RateLimitSettings, ReferenceModel } from './referenceModel.js';
import { RequestCommand } from './requestCommand.js';
import { ResponseCommand, type SenderChoice, type TargetChoice, type TokenChoice } from './responseCommand.js';
import type { RuntimeUnderTest } from './runtimeUnderTest.js';
import { contentPool, schemaNames } from './schemaPool.js';

export type ModelCommand = fc.AsyncCommand<ReferenceModel, RuntimeUnderTest>;

const agent = fc.constantFrom(...agents);

const requestCommand: fc.Arbitrary<ModelCommand> = fc
  .tuple(
    agent,
    agent,
    fc.constantFrom(...schemaNames),
    // Mostly valid timeouts; a few invalid ones check that the rate-limit token comes first.
    fc.oneof({ weight: 19, arbitrary: fc.integer({ min: 1, max: 50 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 2.5) }),
  )
  .map(([from, to, schemaName, timeoutMs]) => new RequestCommand(from, to, schemaName, timeoutMs));

const target: fc.Arbitrary<TargetChoice> = fc.oneof(
  { weight: 19, arbitrary: fc.nat({ max: 15 }).map((pick) => ({ pick })) },
  { weight: 1, arbitrary: fc.uuid({ version: 4 }).map((unknownId) => ({ unknownId })) },
);

const sender: fc.Arbitrary<SenderChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('responder' as const) },
  { weight: 2, arbitrary: fc.constant('requester' as const) },
  { weight: 2, arbitrary: agent },
);

const token: fc.Arbitrary<TokenChoice> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('real' as const) },
  { weight: 1, arbitrary: fc.constant('reissued' as const) },
  { weight: 2, arbitrary: fc.constant('none' as const) },
  { weight: 2, arbitrary: fc.constantFrom('forged-nonce' as const, 'forged-mac' as const, 'garbage' as const) },
  { weight: 2, arbitrary: fc.constant('swapped' as const) },
);

const responseCommand: fc.Arbitrary<ModelCommand> = fc
  .tuple(
    fc.constantFrom('accept' as const, 'decline' as const, 'cancel' as const, 'withdraw' as const),
    target,
    sender,
    token,
    fc.constantFrom(...contentPool),
    fc.oneof({ weight: 9, arbitrary: fc.constant(1 as const) }, { weight: 1, arbitrary: fc.constant(2 as const) }),
  )
  .map(([kind, chosenTarget, chosenSender, chosenToken, content, copies]) => new ResponseCommand(kind, chosenTarget, chosenSender, chosenToken, content, copies));

const offset = fc.constantFrom(-1 as const, 0 as const, 1 as const);

const clockJump: fc.Arbitrary<ClockJump> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 60 }).map((milliseconds) => ({ kind: 'by' as const, milliseconds })) },
  // Long jumps refill rate-limit buckets.
  { weight: 1, arbitrary: fc.constantFrom(1_000, 60_000).map((milliseconds) => ({ kind: 'by' as const, milliseconds })) },
  { weight: 3, arbitrary: fc.tuple(fc.nat({ max: 15 }), offset).map(([pick, by]) => ({ kind: 'toDeadline' as const, pick, offset: by })) },
  { weight: 2, arbitrary: offset.map((by) => ({ kind: 'toNextDeadline' as const, offset: by })) },
);

const clockJumpCommand: fc.Arbitrary<ModelCommand> = clockJump.map((jump) => new ClockJumpCommand(jump));

/** Generates sequences of requests, responses and clock jumps, replayable through `FC_REPLAY_PATH`. */
export function commandSequences(): fc.Arbitrary<Iterable<ModelCommand>> {
  const command = fc.oneof(
    { weight: 3, arbitrary: requestCommand },
    { weight: 5, arbitrary: responseCommand },
    { weight: 3, arbitrary: clockJumpCommand },
  );
  const replayPath = propertySettings.replayPath;
  return fc.commands([command], { maxCommands: 50, size: 'max', ...(replayPath === undefined ? {} : { replayPath }) });
}

const smallBucket: fc.Arbitrary<BucketSettings> = fc.record({
  burst: fc.integer({ min: 1, max: 3 }),
  perMinute: fc.constantFrom(0, 60, 600, 6_000, 60_000),
});

/** Rate limits small enough that generated runs hit them, and refills that clock jumps reach. */
export const smallRateLimits: fc.Arbitrary<RateLimitSettings> = fc.record({ requests: smallBucket, responses: smallBucket });
