// The app's token store: encrypted with Electron's safeStorage (DPAPI on Windows), one file per
// environment. It refuses to save when encryption is not available rather than fall back to plain
// text, and says why. Takes safeStorage as an argument so that tests need no Electron.
//
// Electron 45 adds the asynchronous API and deprecates the synchronous one (announced for removal
// in 46). The async API is used whenever Electron offers it; it decrypts what the sync API wrote
// (same key, per Electron's documentation), and a blob it reports as `shouldReEncrypt` is written
// again with the async API, once, on read.
//
// Electron's safeStorage is a native (gin-wrapped) object: its methods throw "Illegal invocation"
// when called detached from it, so every call below goes through `this.safe.method(…)`.
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
  isAsyncEncryptionAvailable?(): Promise<boolean>;
  encryptStringAsync?(plainText: string): Promise<Buffer>;
  decryptStringAsync?(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
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

  /** Without a name: the token; with one, a secret typed in the wizard (a database password …). */
  private file(environment: Environment, name?: string): string {
    return name === undefined
      ? path.join(this.baseDir, environment, 'token.enc')
      : `${storedSecretFile(path.join(this.baseDir, environment), name)}.enc`;
  }

  /** The async API, when this Electron has all of it (Electron 45 and later). */
  private get asyncApi(): Required<
    Pick<SafeStorageLike, 'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync'>
  > | null {
    const s = this.safe;
    return s.isAsyncEncryptionAvailable && s.encryptStringAsync && s.decryptStringAsync
      ? (s as Required<SafeStorageLike>)
      : null;
  }

  private async canEncrypt(): Promise<boolean> {
    const asyncApi = this.asyncApi;
    const available = asyncApi ? await asyncApi.isAsyncEncryptionAvailable() : this.safe.isEncryptionAvailable();
    if (!available) return false;
    return this.safe.getSelectedStorageBackend?.() !== 'basic_text';
  }

  private async encrypt(token: string): Promise<Buffer> {
    const asyncApi = this.asyncApi;
    return asyncApi ? asyncApi.encryptStringAsync(token) : this.safe.encryptString(token);
  }

  async read(environment: Environment): Promise<string | null> {
    return this.readNamed(environment);
  }

  async readNamed(environment: Environment, name?: string): Promise<string | null> {
    let encrypted: Buffer;
    try {
      encrypted = readFileSync(this.file(environment, name));
    } catch {
      return null;
    }
    try {
      const asyncApi = this.asyncApi;
      if (!asyncApi) {
        if (!this.safe.isEncryptionAvailable()) return null;
        return this.safe.decryptString(encrypted).trim() || null;
      }
      const { result, shouldReEncrypt } = await asyncApi.decryptStringAsync(encrypted);
      const token = result.trim() || null;
      if (token && shouldReEncrypt) await this.writeNamed(environment, name, token).catch(() => undefined);
      return token;
    } catch {
      // Encrypted for another user or machine (a copied profile): treat as no token, ask again.
      return null;
    }
  }

  async write(environment: Environment, token: string): Promise<void> {
    await this.writeNamed(environment, undefined, token);
  }

  async writeNamed(environment: Environment, name: string | undefined, value: string): Promise<void> {
    if (!(await this.canEncrypt())) throw new SecretStoreError(NO_ENCRYPTION_MESSAGE);
    writeOwnerOnly(this.file(environment, name), await this.encrypt(value));
  }
}
