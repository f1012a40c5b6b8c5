/**
 * Response tokens for the `strict` security level: an HMAC-SHA256 over the elicitation id,
 * the responder and a random nonce, with the id of the key that signed it, so keys can
 * rotate while elicitations signed by an older key are still pending.
 *
 * Format: `<keyId>.<nonce>.<mac>`, nonce and mac in base64url.
 */
import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

export interface ResponseTokenKey {
  /** A short id written into each token; letters, digits, `_` and `-`. */
  readonly id: string;
  /** The secret, at least 32 bytes of entropy; never written to the log. */
  readonly secret: string | Uint8Array;
}

const keyIdPattern = /^[A-Za-z0-9_-]{1,32}$/;
const minimumSecretBytes = 16;

export class ResponseTokens {
  private readonly keys = new Map<string, KeyObject>();
  private readonly signingKeyId: string;

  /** `keys[0]` signs new tokens; every key in the list verifies. */
  constructor(keys: readonly ResponseTokenKey[]) {
    if (keys.length === 0) throw new TypeError('ResponseTokens needs at least one key');
    for (const key of keys) {
      if (!keyIdPattern.test(key.id)) throw new TypeError(`response token key id ${JSON.stringify(key.id)} must be 1 to 32 letters, digits, "_" or "-"`);
      const secret = typeof key.secret === 'string' ? Buffer.from(key.secret, 'utf8') : Buffer.from(key.secret);
      if (secret.length < minimumSecretBytes) throw new TypeError(`the secret for response tokens (key "${key.id}") is ${secret.length} bytes long; use a secret of at least ${minimumSecretBytes} bytes`);
      this.keys.set(key.id, createSecretKey(secret));
    }
    this.signingKeyId = keys[0]!.id;
  }

  /** Signs a new token for `responder` to act on `elicitationId`. */
  issue(elicitationId: string, responder: string): string {
    const nonce = randomBytes(16).toString('base64url');
    const mac = this.mac(this.keys.get(this.signingKeyId)!, elicitationId, responder, nonce);
    return `${this.signingKeyId}.${nonce}.${mac.toString('base64url')}`;
  }

  /** Tells whether `token` was issued for this elicitation and responder, in constant time. */
  verify(token: unknown, elicitationId: string, responder: string): boolean {
    if (typeof token !== 'string' || token.length > 200) return false;
    const [keyId, nonce, macText, extra] = token.split('.');
    if (keyId === undefined || nonce === undefined || macText === undefined || extra !== undefined) return false;

    const key = this.keys.get(keyId);
    if (key === undefined) return false;

    const expected = this.mac(key, elicitationId, responder, nonce);
    const actual = Buffer.from(macText, 'base64url');
    // Only the canonical spelling counts: base64url ignores stray padding bits, and a token has one form.
    if (actual.length !== expected.length || actual.toString('base64url') !== macText) return false;
    return timingSafeEqual(actual, expected);
  }

  private mac(key: KeyObject, elicitationId: string, responder: string, nonce: string): Buffer {
    // Length-prefixed fields, so no choice of ids can make two different triples collide.
    return createHmac('sha256', key)
      .update(`${elicitationId.length}:${elicitationId}|${responder.length}:${responder}|${nonce}`)
      .digest();
  }
}
