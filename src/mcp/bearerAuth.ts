/**
 * Authentication of the bridge's HTTP requests: every request carries
 * `Authorization: Bearer <agent token>`, and one that is missing, malformed, badly signed
 * or expired gets 401 with a `WWW-Authenticate` challenge (RFC 6750) and a JSON-RPC error
 * body. Refusals are logged one by one up to a bound a minute, then as one count.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AgentTokens, VerifiedAgent } from './agentTokens.js';
import type { BridgeLogger } from './bridgeLogger.js';
import { writeJsonRpcError } from './httpResponses.js';

const realm = 'elicitation-runtime';
/** Refusals logged one by one in a minute before the rest are only counted. */
const refusalsLoggedPerMinute = 10;

const descriptions = {
  missing: 'the request has no Authorization: Bearer header; issue a token with "elicit token --agent NAME"',
  malformed: 'the bearer token is malformed; use a token that "elicit token" printed',
  'bad-signature': 'the bearer token does not verify with the secret of this bridge; issue one with the same ELICIT_SECRET or --secret-file',
  expired: 'the bearer token expired; issue a new one with "elicit token --agent NAME"',
} as const;

export class BearerAuthenticator {
  private refusedThisMinute = 0;

  constructor(
    private readonly tokens: AgentTokens,
    private readonly logger: BridgeLogger,
    private readonly now: () => number,
  ) {}

  /** The agent that the request's bearer token names, or `undefined` after answering 401. */
  authenticate(req: IncomingMessage, res: ServerResponse): VerifiedAgent | undefined {
    const header = req.headers.authorization;
    const match = header === undefined ? undefined : /^Bearer +(\S+) *$/i.exec(header);
    if (match === undefined || match === null) {
      this.refuse(req, res, 'missing', undefined);
      return undefined;
    }

    const check = this.tokens.verify(match[1], this.now());
    if (check.valid) return { agent: check.agent, expiresAt: check.expiresAt };
    this.refuse(req, res, check.reason, check.agent);
    return undefined;
  }

  /** Logs how many refusals went unlogged this minute, and starts a new minute. */
  summarize(): void {
    const unlogged = this.refusedThisMinute - refusalsLoggedPerMinute;
    if (unlogged > 0) this.logger.info(`${unlogged} more requests were refused with 401 in the last minute`);
    this.refusedThisMinute = 0;
  }

  private refuse(req: IncomingMessage, res: ServerResponse, reason: keyof typeof descriptions, agent: string | undefined): void {
    const description = descriptions[reason];
    this.refusedThisMinute += 1;
    if (this.refusedThisMinute <= refusalsLoggedPerMinute) {
      const who = agent === undefined ? '' : ` for agent "${agent}"`;
      this.logger.info(`refused ${req.method ?? 'a'} request${who} with 401: ${description}`);
    }

    const challenge = reason === 'missing' ? `Bearer realm="${realm}"` : `Bearer realm="${realm}", error="invalid_token", error_description="${description.replace(/"/g, "'")}"`;
    writeJsonRpcError(res, 401, `Unauthorized: ${description}`, { 'WWW-Authenticate': challenge });
  }
}
