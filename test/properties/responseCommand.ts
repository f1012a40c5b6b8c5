/**
 * The responder and requester commands of the model-based tests: accept, decline, cancel
 * and withdraw, by the right or a wrong agent, with the real, a missing, a forged or
 * another elicitation's response token, once or twice at the same instant.
 */
import type * as fc from 'fast-check';
import { expect } from 'vitest';
import type { ElicitationSnapshot } from '../../src/index.js';
import { elapsed, expectDurable, expectRuntimeMatchesModel, outcomeOf, type AgentName } from './expectations.js';
import type { Outcome, ReferenceModel, ResponseCall, ResponseKind } from './referenceModel.js';
import type { RuntimeUnderTest } from './runtimeUnderTest.js';

/** Which elicitation: the `pick`-th known one (modulo their number), or an id never issued. */
export type TargetChoice = { readonly pick: number } | { readonly unknownId: string };

/** Who sends the command: a role of the target elicitation, or a named agent. */
export type SenderChoice = 'responder' | 'requester' | AgentName;

/**
 * Which token the command carries. `reissued` is a fresh token for the same elicitation
 * from `issueResponseToken`. `forged-nonce` and `forged-mac` alter one part of the real
 * token, and `swapped` is the real token of another elicitation.
 */
export type TokenChoice = 'real' | 'reissued' | 'none' | 'forged-nonce' | 'forged-mac' | 'garbage' | 'swapped';

const terminalTypes: Record<ResponseKind, string> = {
  accept: 'elicitation.answered',
  decline: 'elicitation.rejected',
  cancel: 'elicitation.rejected',
  withdraw: 'elicitation.rejected',
};

export class ResponseCommand implements fc.AsyncCommand<ReferenceModel, RuntimeUnderTest> {
  constructor(
    readonly kind: ResponseKind,
    readonly target: TargetChoice,
    readonly sender: SenderChoice,
    readonly token: TokenChoice,
    readonly content: unknown,
    /** 2 sends the same command twice without waiting in between, as a duplicate answer does. */
    readonly copies: 1 | 2,
  ) {}

  check(): boolean {
    return true;
  }

  async run(model: ReferenceModel, real: RuntimeUnderTest): Promise<void> {
    const ref = 'pick' in this.target && model.elicitations.length > 0 ? this.target.pick % model.elicitations.length : undefined;
    const id = ref === undefined ? this.unknownId() : real.ids[ref]!;
    const agent = this.resolveSender(model, ref);
    const token = this.resolveToken(real, ref);
    const call: ResponseCall = { kind: this.kind, ref, agent, carriesOwnToken: ref !== undefined && (this.token === 'real' || this.token === 'reissued'), content: this.content };
    const carried = this.kind === 'withdraw' ? '' : ` with token ${this.token}`;
    const label = `${this.kind} of e${ref ?? '?'} by "${agent}"${carried} at ${elapsed(model)} (command ${this.toString()})`;

    const expected: Outcome[] = [];
    for (let copy = 0; copy < this.copies; copy++) expected.push(model.respond(call));

    // Every copy is sent before any is awaited, so they reach the runtime at the same instant.
    const sent: Promise<ElicitationSnapshot>[] = [];
    for (let copy = 0; copy < this.copies; copy++) sent.push(this.send(real, id, agent, token));
    const results = await Promise.all(sent.map((promise) => outcomeOf(promise)));

    expect(results.map((result) => result.outcome), label).toEqual(expected);
    if (results.some((result) => result.outcome === 'ok')) await expectDurable(real, id, terminalTypes[this.kind], label);
    expectRuntimeMatchesModel(model, real, label);
  }

  toString(): string {
    const target = 'pick' in this.target ? `pick ${this.target.pick}` : `unknown id ${this.target.unknownId}`;
    const token = this.kind === 'withdraw' ? '' : `, token ${this.token}`;
    const content = this.kind === 'accept' ? `, content ${JSON.stringify(this.content)}` : '';
    const copies = this.copies === 2 ? ' x2 at once' : '';
    return `${this.kind}(${target}, by ${this.sender}${token}${content})${copies}`;
  }

  private send(real: RuntimeUnderTest, id: string, agent: string, token: string | undefined): Promise<ElicitationSnapshot> {
    const tokenField = token === undefined ? {} : { token };
    switch (this.kind) {
      case 'accept':
        return real.runtime.accept({ id, agent, content: this.content, ...tokenField });
      case 'decline':
        return real.runtime.decline({ id, agent, ...tokenField });
      case 'cancel':
        return real.runtime.cancel({ id, agent, ...tokenField });
      case 'withdraw':
        return real.runtime.withdraw({ id, agent });
    }
  }

  /** Returns an id the runtime never issued: the generated one, or a fixed one when a pick finds no elicitation. */
  private unknownId(): string {
    if ('unknownId' in this.target) return this.target.unknownId;
    return '00000000-0000-4000-8000-000000000000';
  }

  private resolveSender(model: ReferenceModel, ref: number | undefined): string {
    const elicitation = ref === undefined ? undefined : model.elicitations[ref];
    if (this.sender === 'responder') return elicitation?.to ?? 'bob';
    if (this.sender === 'requester') return elicitation?.from ?? 'alice';
    return this.sender;
  }

  private resolveToken(real: RuntimeUnderTest, ref: number | undefined): string | undefined {
    const own = ref === undefined ? undefined : real.tokens[ref];
    const wellFormed = own ?? 'k1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    switch (this.token) {
      case 'real':
        return own;
      case 'reissued':
        return ref === undefined ? undefined : real.runtime.issueResponseToken(real.ids[ref]!);
      case 'none':
        return undefined;
      case 'forged-nonce':
        return alterPart(wellFormed, 1);
      case 'forged-mac':
        return alterPart(wellFormed, 2);
      case 'garbage':
        return 'not-a-response-token';
      case 'swapped':
        return swappedToken(real, ref) ?? alterPart(wellFormed, 2);
    }
  }
}

/** Finds the real token of the next elicitation after `ref` that has one, or `undefined` if none has. */
function swappedToken(real: RuntimeUnderTest, ref: number | undefined): string | undefined {
  const count = real.tokens.length;
  for (let step = 1; step < count; step++) {
    const other = real.tokens[((ref ?? 0) + step) % count];
    if (other !== undefined) return other;
  }
  return undefined;
}

/**
 * Changes one character in the middle of part `index` of a `keyId.nonce.mac` token. A
 * middle character of base64url carries six whole bits, so the decoded bytes change too.
 */
function alterPart(token: string, index: number): string {
  const parts = token.split('.');
  const part = parts[index] ?? '';
  const middle = Math.floor(part.length / 2);
  const replacement = part[middle] === 'A' ? 'B' : 'A';
  parts[index] = part.slice(0, middle) + replacement + part.slice(middle + 1);
  return parts.join('.');
}
