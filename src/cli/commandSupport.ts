/**
 * What every `elicit` subcommand shares: its error types, option parsing and file helpers.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteEventStore } from '../store/sqliteEventStore.js';
import type { Logger } from './logger.js';

/** Bad usage: the message is printed with the usage text, and the exit code is 2. */
export class UsageError extends Error {}

/** A setting that makes the command impossible, such as a secret too short to sign tokens; exit code 2. */
export class ConfigurationError extends Error {}

/** One subcommand: takes its arguments and returns the exit code. */
export interface Command {
  /** One line for the usage text: the synopsis. */
  readonly synopsis: string;
  /** One line for the usage text: what it does. */
  readonly summary: string;
  run(args: readonly string[], logger: Logger): Promise<number>;
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

export function parseOptions(args: readonly string[], options: OptionSpec) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Opens a store that must exist already, so a mistyped path creates nothing. */
export function openExistingStore(storePath: string | undefined): SqliteEventStore {
  if (storePath === undefined) throw new UsageError('--store FILE is required');
  if (!existsSync(storePath)) throw new UsageError(`the store ${storePath} does not exist; run a scenario with --store ${storePath} first`);
  return new SqliteEventStore(storePath);
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
