// Argument parsing for CLI commands, with errors that say which option is wrong.
import { type ParseArgsConfig, parseArgs } from 'node:util';

export class UsageError extends Error {}

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\nUsage: ${usage}`);
  }
}

export function required(value: string | boolean | undefined, flag: string, usage: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new UsageError(`Missing ${flag}.\n\nUsage: ${usage}`);
  return value;
}
