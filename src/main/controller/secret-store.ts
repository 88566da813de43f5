// Where the connection token is kept. The Electron app uses safeStorage (src/main/app/); the
// headless controller and the preview use FileSecretStore: one file per environment, mode 0600.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Environment } from '../../shared/protocol/index.js';

export interface SecretStore {
  /** In words, for the wizard: where the token is kept. */
  readonly description: string;
  read(environment: Environment): Promise<string | null>;
  /** Throws SecretStoreError (with a sentence saying why) when the token cannot be kept safely. */
  write(environment: Environment, token: string): Promise<void>;
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
    const file = this.file(environment);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${token}\n`, { mode: 0o600 });
    renameSync(temp, file);
  }
}
