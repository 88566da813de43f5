// Secrets (passwords, tokens, client secrets) come from a file or an environment variable, never
// from the config text itself; errors name the config key, never the value.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SecretRef } from '../../../shared/config/sources.js';
import { ConfigError } from '../../config/config-error.js';
import { readStoredSecret } from './stored-secret.js';

export function readSecret(ref: SecretRef, configDir: string, key: string): string {
  if ('stored' in ref) {
    const value = readStoredSecret(configDir, ref.stored);
    if (value === null) throw new ConfigError(`${key}: no saved secret; type it again in Set up….`);
    return value;
  }
  if ('env' in ref) {
    const value = process.env[ref.env];
    if (value === undefined || value === '') {
      throw new ConfigError(`${key}: the environment variable ${ref.env} is not set.`);
    }
    return value;
  }
  const file = path.resolve(configDir, ref.file);
  try {
    // A trailing newline from `echo secret > file` is not part of the secret.
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new ConfigError(`${key}: the file ${file} cannot be read (${(error as NodeJS.ErrnoException).code}).`);
  }
}
