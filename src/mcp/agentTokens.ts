/**
 * Bearer tokens that name an agent to the MCP bridge: the agent and an expiry, signed with
 * HMAC-SHA256. They come from the same secret as response tokens, but they are signed with a
 * key derived for this purpose alone (HKDF-SHA256 with its own label) and have a format of
 * their own. So a response token never verifies as a bearer token, nor the reverse.
 *
 * Format: `elicit-agent-v1.<keyId>.<payload>.<mac>`, where the payload is base64url JSON
 * `{"agent": "...", "iat": <epoch ms>, "exp": <epoch ms>}` and the mac covers everything
 * before it.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { checkAgentId } from '../runtime/requestValidation.js';

export interface AgentTokenKey {
  /** A short id written into each token; letters, digits, `_` and `-`. */
  readonly id: string;
  /** The secret, at least 16 bytes; the same one that signs response tokens may be used. */
  readonly secret: string | Uint8Array;
}

/** The agent that a valid bearer token names, and the token's expiry (epoch ms, exclusive). */
export interface VerifiedAgent {
  readonly agent: string;
  readonly expiresAt: number;
}

export type AgentTokenCheck =
  | ({ readonly valid: true } & VerifiedAgent)
  | { readonly valid: false; readonly reason: 'malformed' | 'bad-signature' | 'expired'; readonly agent?: string };

/** One year: the longest time to live a token may have. */
export const maxAgentTokenTtlMs = 365 * 86_400_000;

const prefix = 'elicit-agent-v1';
const derivationLabel = 'elicitation-runtime/mcp-bridge/agent-bearer-token/v1';
const keyIdPattern = /^[A-Za-z0-9_-]{1,32}$/;
const minimumSecretBytes = 16;
const maxTokenLength = 4096;

export class AgentTokens {
  private readonly keys = new Map<string, Buffer>();
  private readonly signingKeyId: string;

  /** `keys[0]` signs new tokens; every key in the list verifies. */
  constructor(keys: readonly AgentTokenKey[]) {
    if (keys.length === 0) throw new TypeError('AgentTokens needs at least one key');
    for (const key of keys) {
      if (!keyIdPattern.test(key.id)) throw new TypeError(`agent token key id ${JSON.stringify(key.id)} must be 1 to 32 letters, digits, "_" or "-"`);
      const secret = typeof key.secret === 'string' ? Buffer.from(key.secret, 'utf8') : Buffer.from(key.secret);
      if (secret.length < minimumSecretBytes) throw new TypeError(`the secret for agent tokens (key "${key.id}") is ${secret.length} bytes long; use a secret of at least ${minimumSecretBytes} bytes`);
      this.keys.set(key.id, Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), derivationLabel, 32)));
    }
    this.signingKeyId = keys[0]!.id;
  }

  /** Creates the verifier for one secret, under the key id `k1` that response tokens use too. */
  static fromSecret(secret: string): AgentTokens {
    return new AgentTokens([{ id: 'k1', secret }]);
  }

  /**
   * Signs a token that names `agent` for `ttlMs` from `now`.
   *
   * @example
   * const token = AgentTokens.fromSecret(process.env.ELICIT_SECRET!).issue('planner', 12 * 3_600_000)
   */
  issue(agent: string, ttlMs: number, now: number = Date.now()): string {
    checkAgentId('agent', agent);
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 1000 || ttlMs > maxAgentTokenTtlMs) {
      throw new RangeError(`a token's time to live is ${ttlMs} ms; use 1 s to 365 days`);
    }

    const payload = Buffer.from(JSON.stringify({ agent, iat: now, exp: now + ttlMs }), 'utf8').toString('base64url');
    const signed = `${prefix}.${this.signingKeyId}.${payload}`;
    return `${signed}.${this.mac(this.keys.get(this.signingKeyId)!, signed).toString('base64url')}`;
  }

  /** Checks the signature in constant time, then the expiry against `now`. */
  verify(token: unknown, now: number = Date.now()): AgentTokenCheck {
    if (typeof token !== 'string' || token.length > maxTokenLength) return { valid: false, reason: 'malformed' };
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== prefix) return { valid: false, reason: 'malformed' };
    const [, keyId, payloadText, macText] = parts as [string, string, string, string];

    const key = this.keys.get(keyId);
    if (key === undefined) return { valid: false, reason: 'bad-signature' };
    const expected = this.mac(key, `${prefix}.${keyId}.${payloadText}`);
    const actual = Buffer.from(macText, 'base64url');
    // Only the canonical spelling counts: base64url ignores stray padding bits, and a token has one form.
    if (actual.length !== expected.length || actual.toString('base64url') !== macText || !timingSafeEqual(actual, expected)) {
      return { valid: false, reason: 'bad-signature' };
    }

    const claims = parseClaims(payloadText);
    if (claims === undefined) return { valid: false, reason: 'malformed' };
    if (now >= claims.exp) return { valid: false, reason: 'expired', agent: claims.agent };
    return { valid: true, agent: claims.agent, expiresAt: claims.exp };
  }

  private mac(key: Buffer, signed: string): Buffer {
    return createHmac('sha256', key).update(signed).digest();
  }
}

function parseClaims(payloadText: string): { agent: string; exp: number } | undefined {
  try {
    const claims = JSON.parse(Buffer.from(payloadText, 'base64url').toString('utf8')) as { agent?: unknown; exp?: unknown };
    if (typeof claims.agent !== 'string' || typeof claims.exp !== 'number') return undefined;
    checkAgentId('agent', claims.agent);
    return { agent: claims.agent, exp: claims.exp };
  } catch {
    return undefined;
  }
}
