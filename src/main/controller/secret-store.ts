// Where the connection token and the secrets typed in the wizard (database passwords, client
// secrets) are kept. The Electron app uses safeStorage (src/main/app/); the headless controller and
// the preview use FileSecretStore: files mode 0600 in folders mode 0700. connector.json names a
// wizard secret as {"stored": name}; integrations/common/stored-secret.ts reads it back.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Environment } from '../../shared/protocol/index.js';
import { storedSecretFile } from '../integrations/common/stored-secret.js';

export interface SecretStore {
  /** In words, for the wizard: where the token is kept. */
  readonly description: string;
  read(environment: Environment): Promise<string | null>;
  /** Throws SecretStoreError (with a sentence saying why) when the token cannot be kept safely. */
  write(environment: Environment, token: string): Promise<void>;
  /** A secret typed in the wizard, by name (the controller reads them before it builds the integrations). */
  readNamed(environment: Environment, name: string): Promise<string | null>;
  /** Throws SecretStoreError, as write does. */
  writeNamed(environment: Environment, name: string, value: string): Promise<void>;
}

export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';
}

export class FileSecretStore implements SecretStore {
  readonly description = 'a file that only this user account can read';

  constructor(private readonly baseDir: string) {}

  private file(environment: Environment): string {
    return path.join(this.baseDir, environment, 'token');
  }

  async read(environment: Environment): Promise<string | null> {
    try {
      const token = readFileSync(this.file(environment), 'utf8').trim();
      return token || null;
    } catch {
      return null;
    }
  }

  async write(environment: Environment, token: string): Promise<void> {
    writeOwnerOnly(this.file(environment), `${token}\n`);
  }

  async readNamed(environment: Environment, name: string): Promise<string | null> {
    try {
      return readFileSync(storedSecretFile(path.join(this.baseDir, environment), name), 'utf8').trim() || null;
    } catch {
      return null;
    }
  }

  async writeNamed(environment: Environment, name: string, value: string): Promise<void> {
    writeOwnerOnly(storedSecretFile(path.join(this.baseDir, environment), name), `${value}\n`);
  }
}

/** Written whole or not at all (temporary file, then rename), readable only by its owner. */
export function writeOwnerOnly(file: string, content: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  renameSync(temp, file);
}
