// The app's token store: encrypted with Electron's safeStorage (DPAPI on Windows), one file per
// environment. It refuses to save when encryption is not available rather than fall back to plain
// text, and says why. Takes safeStorage as an argument so that tests need no Electron.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Environment } from '../../shared/protocol/index.js';
import { type SecretStore, SecretStoreError, writeOwnerOnly } from '../controller/secret-store.js';
import { storedSecretFile } from '../integrations/common/stored-secret.js';

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

  private file(environment: Environment, name?: string): string {
    return name === undefined
      ? path.join(this.baseDir, environment, 'token.enc')
      : `${storedSecretFile(path.join(this.baseDir, environment), name)}.enc`;
  }

  private canEncrypt(): boolean {
    if (!this.safe.isEncryptionAvailable()) return false;
    const backend = this.safe.getSelectedStorageBackend?.();
    return backend !== 'basic_text';
  }

  async read(environment: Environment): Promise<string | null> {
    return this.readNamed(environment);
  }

  /** Without a name: the token. */
  readNamed(environment: Environment, name?: string): string | null {
    let encrypted: Buffer;
    try {
      encrypted = readFileSync(this.file(environment, name));
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
    await this.writeNamed(environment, undefined, token);
  }

  /** Without a name: the token. */
  async writeNamed(environment: Environment, name: string | undefined, value: string): Promise<void> {
    if (!this.canEncrypt()) throw new SecretStoreError(NO_ENCRYPTION_MESSAGE);
    writeOwnerOnly(this.file(environment, name), this.safe.encryptString(value));
  }
}
