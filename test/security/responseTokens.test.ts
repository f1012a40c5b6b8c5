import { describe, expect, it } from 'vitest';
import { ResponseTokens } from '../../src/security/responseTokens.js';

const current = { id: 'k2', secret: 'a-new-secret-of-at-least-32-bytes!!' };
const previous = { id: 'k1', secret: 'the-old-secret-of-at-least-32-bytes' };

describe('response tokens', () => {
  it('verify for their elicitation and responder', () => {
    const tokens = new ResponseTokens([current]);
    const token = tokens.issue('elicitation-1', 'bob');
    expect(tokens.verify(token, 'elicitation-1', 'bob')).toBe(true);
  });

  it('fail for another elicitation', () => {
    const tokens = new ResponseTokens([current]);
    expect(tokens.verify(tokens.issue('elicitation-1', 'bob'), 'elicitation-2', 'bob')).toBe(false);
  });

  it('fail for another responder', () => {
    const tokens = new ResponseTokens([current]);
    expect(tokens.verify(tokens.issue('elicitation-1', 'bob'), 'elicitation-1', 'mallory')).toBe(false);
  });

  it('keep verifying after key rotation', () => {
    const before = new ResponseTokens([previous]);
    const token = before.issue('elicitation-1', 'bob');
    const rotated = new ResponseTokens([current, previous]);

    expect(rotated.verify(token, 'elicitation-1', 'bob')).toBe(true);
    expect(rotated.issue('elicitation-1', 'bob').startsWith('k2.')).toBe(true);
  });

  it('fail once their key is retired', () => {
    const token = new ResponseTokens([previous]).issue('elicitation-1', 'bob');
    expect(new ResponseTokens([current]).verify(token, 'elicitation-1', 'bob')).toBe(false);
  });

  it('reject malformed and forged tokens', () => {
    const tokens = new ResponseTokens([current]);
    const [keyId, nonce, mac] = tokens.issue('elicitation-1', 'bob').split('.');
    const flipped = `${mac!.slice(0, -2)}${mac!.endsWith('AA') ? 'AB' : 'AA'}`;
    for (const forged of [undefined, 42, '', 'k2', `${keyId}.${nonce}`, `${keyId}.${nonce}.${flipped}`, `${keyId}.${nonce}.${mac}.extra`, `k9.${nonce}.${mac}`, 'x'.repeat(500)]) {
      expect(tokens.verify(forged, 'elicitation-1', 'bob'), String(forged)).toBe(false);
    }
  });

  it('refuse short secrets and bad key ids', () => {
    expect(() => new ResponseTokens([{ id: 'k1', secret: 'short' }])).toThrow(/at least 16/);
    expect(() => new ResponseTokens([{ id: 'bad id', secret: current.secret }])).toThrow(/key id/);
    expect(() => new ResponseTokens([])).toThrow(/at least one key/);
  });
});
