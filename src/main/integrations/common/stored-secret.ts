// `{"stored": name}` secret references: the secret was typed into the set-up wizard and kept by the
// program that saved the config (the app: encrypted with safeStorage; headless: an owner-only file).
// readSecret is called deep inside each driver with only the config folder, so whoever hosts a
// secret store registers a reader for its config folder here; without one (`cloud-connector run`
// on a folder the headless controller wrote) the secret is read from `secrets/<name>` beside it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { STORED_SECRET_NAME } from '../../../shared/config/sources.js';

export type StoredSecretReader = (name: string) => string | null;

const readers = new Map<string, StoredSecretReader>();

/** Returns the function that removes the registration again. */
export function registerStoredSecrets(configDir: string, reader: StoredSecretReader): () => void {
  const key = path.resolve(configDir);
  readers.set(key, reader);
  return () => {
    if (readers.get(key) === reader) readers.delete(key);
  };
}

/** Where a headless store keeps `name`, relative to the config folder. */
export function storedSecretFile(configDir: string, name: string): string {
  if (!STORED_SECRET_NAME.test(name)) throw new Error('invalid stored secret name');
  return path.join(configDir, 'secrets', name);
}

export function readStoredSecret(configDir: string, name: string): string | null {
  const reader = readers.get(path.resolve(configDir));
  if (reader) return reader(name);
  try {
    return readFileSync(storedSecretFile(configDir, name), 'utf8').replace(/\r?\n$/, '') || null;
  } catch {
    return null;
  }
}
