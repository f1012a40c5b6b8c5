import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ResponseTokens } from '../../src/security/responseTokens.js';
import { AgentTokens, parseDuration } from '../../src/mcp/index.js';

const secret = 'agent-token-test-secret-0123456789';
const now = Date.UTC(2026, 0, 1);

describe('agent tokens', () => {
  const tokens = AgentTokens.fromSecret(secret);

  it('verifies what it issued until expiry', () => {
    const token = tokens.issue('alice', 60_000, now);

    expect(tokens.verify(token, now)).toEqual({ valid: true, agent: 'alice', expiresAt: now + 60_000 });
    expect(tokens.verify(token, now + 59_999)).toMatchObject({ valid: true });
    expect(tokens.verify(token, now + 60_000)).toEqual({ valid: false, reason: 'expired', agent: 'alice' });
  });

  it('refuses a changed payload', () => {
    const [prefix, keyId, , mac] = tokens.issue('alice', 60_000, now).split('.');
    const forged = Buffer.from(JSON.stringify({ agent: 'mallory', iat: now, exp: now + 60_000 })).toString('base64url');

    expect(tokens.verify(`${prefix}.${keyId}.${forged}.${mac}`, now)).toEqual({ valid: false, reason: 'bad-signature' });
  });

  it('refuses another secret and rotates keys', () => {
    const other = new AgentTokens([{ id: 'k2', secret: 'another-secret-0123456789abcdef' }]);
    const rotated = new AgentTokens([
      { id: 'k2', secret: 'another-secret-0123456789abcdef' },
      { id: 'k1', secret },
    ]);
    const token = tokens.issue('alice', 60_000, now);

    expect(other.verify(token, now)).toMatchObject({ valid: false, reason: 'bad-signature' });
    expect(rotated.verify(token, now)).toMatchObject({ valid: true, agent: 'alice' });
    expect(rotated.issue('alice', 60_000, now)).toMatch(/^elicit-agent-v1\.k2\./);
  });

  it('is never a response token', () => {
    const responseTokens = new ResponseTokens([{ id: 'k1', secret }]);
    const responseToken = responseTokens.issue('an-elicitation-id', 'alice');
    const bearer = tokens.issue('alice', 60_000, now);
    // A bearer token whose mac is made with the secret itself, as a response token's is.
    const [prefix, keyId, payload] = bearer.split('.');
    const withRawSecret = createHmac('sha256', secret).update(`${prefix}.${keyId}.${payload}`).digest('base64url');

    expect(tokens.verify(responseToken, now)).toMatchObject({ valid: false, reason: 'malformed' });
    expect(tokens.verify(`${prefix}.${keyId}.${payload}.${withRawSecret}`, now)).toMatchObject({ valid: false, reason: 'bad-signature' });
    expect(responseTokens.verify(bearer, 'an-elicitation-id', 'alice')).toBe(false);
  });

  it('refuses malformed tokens', () => {
    for (const token of [undefined, 42, '', 'Bearer x', 'elicit-agent-v1.k1.abc', 'elicit-agent-v1.k1.a.b.c', 'x'.repeat(5000)]) {
      expect(tokens.verify(token, now)).toMatchObject({ valid: false });
    }
  });

  it('checks agent, time to live and secret', () => {
    expect(() => tokens.issue('', 60_000, now)).toThrow(/agent/);
    expect(() => tokens.issue('alice', 999, now)).toThrow(/1 s to 365 days/);
    expect(() => tokens.issue('alice', 366 * 86_400_000, now)).toThrow(/1 s to 365 days/);
    expect(() => AgentTokens.fromSecret('short')).toThrow(/at least 16/);
  });
});

describe('parseDuration', () => {
  it('reads units and sums', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('12h')).toBe(43_200_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
  });

  it('refuses what is no duration', () => {
    for (const text of ['', '12', 'h', '12 h', '1.5h', '-1h', '12hours', '1w']) expect(parseDuration(text)).toBeUndefined();
  });
});
