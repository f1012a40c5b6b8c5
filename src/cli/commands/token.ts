/**
 * `elicit token --agent NAME [--ttl DURATION]`: prints a bearer token that names an agent
 * to `elicit serve`, signed with the bridge's secret and expiring after the time to live.
 */
import { AgentTokens, maxAgentTokenTtlMs } from '../../mcp/agentTokens.js';
import { parseDuration } from '../../mcp/duration.js';
import { readSecret } from '../../mcp/secretSource.js';
import { checkAgentId } from '../../runtime/requestValidation.js';
import { ConfigurationError, parseOptions, UsageError, type Command } from '../commandSupport.js';
import type { Logger } from '../logger.js';

const defaultTtl = '24h';

export const tokenCommand: Command = {
  synopsis: 'elicit token --agent NAME [--ttl DURATION] [--secret-file FILE]',
  summary: `prints a bearer token for "elicit serve" that names the agent; --ttl such as 30m, 12h or 7d (default ${defaultTtl}, at most 365d)`,
  run,
};

async function run(args: readonly string[], logger: Logger): Promise<number> {
  const { values, positionals } = parseOptions(args, { agent: { type: 'string' }, ttl: { type: 'string' }, 'secret-file': { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`token takes no positional arguments, but got ${positionals.join(' ')}`);
  const agent = checkedAgent(values.agent as string | undefined);
  const ttlMs = checkedTtl((values.ttl as string | undefined) ?? defaultTtl);
  const tokens = agentTokensFrom(values['secret-file'] as string | undefined, 'token').tokens;

  const now = Date.now();
  process.stdout.write(`${tokens.issue(agent, ttlMs, now)}\n`);
  logger.info(`the token names agent "${agent}" and expires at ${new Date(now + ttlMs).toISOString()}`);
  return 0;
}

/**
 * Builds the bridge's bearer token signer from the secret in `--secret-file`, or else in
 * `ELICIT_SECRET`. A missing or unusable secret is a `ConfigurationError`. `elicit serve`
 * uses it too, so the two commands always read the secret the same way.
 */
export function agentTokensFrom(secretFile: string | undefined, command: string): { tokens: AgentTokens; secret: string; origin: string } {
  let found;
  try {
    found = readSecret({ secretFile });
  } catch (error) {
    throw new ConfigurationError((error as Error).message);
  }
  if (found === undefined) {
    throw new ConfigurationError(`elicit ${command} needs the secret that signs tokens: set ELICIT_SECRET or pass --secret-file FILE, the same for "elicit token" and "elicit serve"`);
  }

  try {
    return { tokens: AgentTokens.fromSecret(found.secret), secret: found.secret, origin: found.origin };
  } catch (error) {
    throw new ConfigurationError(`the secret from ${found.origin} is unusable: ${(error as Error).message}`);
  }
}

function checkedAgent(agent: string | undefined): string {
  if (agent === undefined) throw new UsageError('--agent NAME is required');
  try {
    return checkAgentId('agent', agent);
  } catch (error) {
    throw new UsageError(`--agent ${(error as Error).message.replace(/^INVALID_REQUEST: agent /, '')}`);
  }
}

function checkedTtl(text: string): number {
  const ttlMs = parseDuration(text);
  if (ttlMs === undefined) throw new UsageError(`--ttl ${JSON.stringify(text)} is not a duration; use a number and a unit s, m, h or d, such as 30m, 12h or 7d`);
  if (ttlMs < 1000 || ttlMs > maxAgentTokenTtlMs) throw new UsageError(`--ttl ${text} is outside 1s to 365d`);
  return ttlMs;
}
