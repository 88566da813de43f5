// The service's connection tokens and the secrets typed in the wizard (database passwords, client
// secrets): files in the same layout as FileSecretStore that only the service account can read. DPAPI's per-user encryption does not apply to a service
// account, so the protection is the file's permissions: mode 0600 on Linux, an ACL naming only
// the service's virtual account and SYSTEM on Windows.
import path from 'node:path';
import type { Environment } from '../../shared/protocol/index.js';
import { FileSecretStore, type SecretStore } from '../controller/secret-store.js';
import { storedSecretFile } from '../integrations/common/stored-secret.js';
import type { FileProtection } from './data-folder.js';

export class ServiceTokenStore implements SecretStore {
  readonly description = 'a file that only the Cloud Connector service can read';
  private readonly files: FileSecretStore;

  constructor(
    private readonly dir: string,
    private readonly protection: FileProtection,
  ) {
    this.files = new FileSecretStore(dir);
  }

  read(environment: Environment): Promise<string | null> {
    return this.files.read(environment);
  }

  tokenFile(environment: Environment): string {
    return path.join(this.dir, environment, 'token');
  }

  async write(environment: Environment, token: string): Promise<void> {
    await this.files.write(environment, token);
    this.protection.protectFile(this.tokenFile(environment), 'service-only');
  }

  readNamed(environment: Environment, name: string): Promise<string | null> {
    return this.files.readNamed(environment, name);
  }

  async writeNamed(environment: Environment, name: string, value: string): Promise<void> {
    await this.files.writeNamed(environment, name, value);
    this.protection.protectFile(storedSecretFile(path.join(this.dir, environment), name), 'service-only');
  }
}
