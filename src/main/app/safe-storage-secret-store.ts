// The app's token store: encrypted with Electron's safeStorage (DPAPI on Windows), one file per
// environment. It refuses to save when encryption is not available rather than fall back to plain
// text, and says why. Takes safeStorage as an argument so that tests need no Electron.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Environment } from '../../shared/protocol/index.js';
import { type SecretStore, SecretStoreError } from '../controller/secret-store.js';

/** The part of Electron's safeStorage this store uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' means "no keyring, effectively plain text". */
  getSelectedStorageBackend?(): string;
}

export const NO_ENCRYPTION_MESSAGE =
  'The token was not saved: this computer cannot encrypt it for your user account, and Cloud Connector will not keep it in plain text. ' +
  'Sign in to Windows with your own account (not a temporary profile) and try again, or ask your IT team.';

export class SafeStorageSecretStore implements SecretStore {
  readonly description: string;

  constructor(
    private readonly baseDir: string,
    private readonly safe: SafeStorageLike,
    platform: NodeJS.Platform = process.platform,
  ) {
    this.description =
      platform === 'win32'
        ? 'Windows data protection, readable only by your user account'
        : 'the system keyring, readable only by your user account';
  }

  private file(environment: Environment): string {
    return path.join(this.baseDir, environment, 'token.enc');
  }

  private canEncrypt(): boolean {
    if (!this.safe.isEncryptionAvailable()) return false;
    const backend = this.safe.getSelectedStorageBackend?.();
    return backend !== 'basic_text';
  }

  async read(environment: Environment): Promise<string | null> {
    let encrypted: Buffer;
    try {
      encrypted = readFileSync(this.file(environment));
    } catch {
      return null;
    }
    if (!this.safe.isEncryptionAvailable()) return null;
    try {
      return this.safe.decryptString(encrypted).trim() || null;
    } catch {
      // Encrypted for another user or machine (a copied profile): treat as no token, ask again.
      return null;
    }
  }

  async write(environment: Environment, token: string): Promise<void> {
    if (!this.canEncrypt()) throw new SecretStoreError(NO_ENCRYPTION_MESSAGE);
    const file = this.file(environment);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, this.safe.encryptString(token), { mode: 0o600 });
    renameSync(temp, file);
  }
}
