/**
 * The source of the secret that signs bearer and response tokens for `elicit serve` and
 * `elicit token`: a secret file named in the configuration (`--secret-file`), or else the
 * `ELICIT_SECRET` environment variable. Both commands must read the same secret, or the
 * bridge refuses every token.
 */
import { readFileSync } from 'node:fs';

export interface SecretSource {
  /** A file whose content, less a trailing newline, is the secret. */
  readonly secretFile?: string | undefined;
  readonly environment?: NodeJS.ProcessEnv;
}

/** Reads the secret and names where it came from; returns `undefined` when neither source sets one. */
export function readSecret(source: SecretSource): { readonly secret: string; readonly origin: string } | undefined {
  if (source.secretFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(source.secretFile, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the secret file ${source.secretFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const secret = text.replace(/\r?\n$/, '');
    if (secret === '') throw new Error(`the secret file ${source.secretFile} is empty; write a secret of at least 16 bytes into it`);
    return { secret, origin: source.secretFile };
  }

  const fromEnvironment = (source.environment ?? process.env).ELICIT_SECRET;
  if (fromEnvironment === undefined || fromEnvironment === '') return undefined;
  return { secret: fromEnvironment, origin: 'ELICIT_SECRET' };
}
