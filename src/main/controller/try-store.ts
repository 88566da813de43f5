// The wizard's document-store "Test". A folder gets a test file written and removed (and we say
// where, as UX.md asks); other kinds file the fixed self-test document twice (write, then read back
// through idempotency), exactly as `cloud-connector check` does.
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConsentStoreConfig } from '../../shared/config/sources.js';
import type { StoreTestResult } from '../../shared/ipc/channels.js';
import type { Environment } from '../../shared/protocol/index.js';
import { createConsentStore } from '../integrations/registry.js';
import { testDocumentStore } from '../integrations/self-test.js';

export async function tryStore(
  config: ConsentStoreConfig,
  environment: Environment,
  options: { configDir: string; timeoutMs?: number },
): Promise<StoreTestResult> {
  if (config.type === 'folder') return tryFolder(path.resolve(options.configDir, config.path));
  let store: ReturnType<typeof createConsentStore>;
  try {
    store = createConsentStore(config, { configDir: options.configDir, environment });
  } catch {
    return {
      ok: false,
      location: null,
      message: 'This kind of document store cannot be used with these settings, or is not available in this version.',
    };
  }
  try {
    // The same write-and-read test as `cloud-connector check`: it leaves one clearly named test document.
    const outcome = await testDocumentStore(store, AbortSignal.timeout(options.timeoutMs ?? 15_000));
    return outcome.ok
      ? { ok: true, location: outcome.location, message: outcome.message }
      : { ok: false, location: null, message: outcome.message };
  } finally {
    await store.close().catch(() => undefined);
  }
}

function tryFolder(folder: string): StoreTestResult {
  const file = path.join(folder, `cloud-connector-test-${randomBytes(4).toString('hex')}.txt`);
  try {
    writeFileSync(file, 'Cloud Connector write test. Safe to delete.\n', { flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'the folder does not exist'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'this computer is not allowed to write there'
          : `the write failed (${code ?? 'unknown error'})`;
    return {
      ok: false,
      location: folder,
      message: `Could not write a test file in ${folder}: ${why}. Check the path and its permissions.`,
    };
  }
  try {
    rmSync(file);
  } catch {
    return {
      ok: false,
      location: folder,
      message: `Wrote a test file in ${folder} but could not remove it. Check the folder's permissions.`,
    };
  }
  return { ok: true, location: folder, message: `Wrote and removed a test file in ${folder}.` };
}
