import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { NO_ENCRYPTION_MESSAGE, SafeStorageSecretStore } from '../../src/main/app/safe-storage-secret-store.js';
import { FileSecretStore, SecretStoreError } from '../../src/main/controller/secret-store.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOKEN = 'cc_demo_abcdefghijklmnopqrstuvwxyz012345';

/** Stands in for Electron's safeStorage: a reversible transform that is clearly not plain text. */
/**
 * Electron's safeStorage is a native object whose methods throw "Illegal invocation" when called
 * detached from it; the fakes do the same, so that a detached call cannot pass here.
 */
function likeNative<T extends object>(obj: T): T {
  for (const [key, value] of Object.entries(obj)) {
    if (typeof value !== 'function') continue;
    // A method copied from another fake (spread) is checked against this object instead.
    const original = (value as { original?: (...a: unknown[]) => unknown }).original ?? value;
    const method = function (this: unknown, ...args: unknown[]) {
      if (this !== obj) throw new TypeError('Illegal invocation');
      return original.apply(this, args);
    };
    (obj as Record<string, unknown>)[key] = Object.assign(method, { original });
  }
  return obj;
}

function fakeSafeStorage(available: boolean, backend?: string) {
  return likeNative({
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: backend ? () => backend : undefined,
    encryptString: (s: string) => Buffer.from(`enc:${Buffer.from(s).toString('base64').split('').reverse().join('')}`),
    decryptString: (b: Buffer) => Buffer.from(b.toString().slice(4).split('').reverse().join(''), 'base64').toString(),
  });
}

test('safeStorage: the token is stored encrypted and read back', async (t) => {
  const dir = tempDir(t);
  const store = new SafeStorageSecretStore(dir, fakeSafeStorage(true), 'win32');
  await store.write('demo', TOKEN);
  const file = path.join(dir, 'demo', 'token.enc');
  assert.ok(!readFileSync(file, 'latin1').includes(TOKEN), 'never plain text on disk');
  assert.equal(await store.read('demo'), TOKEN);
  assert.equal(await store.read('production'), null);
  assert.match(store.description, /Windows data protection/);
});

test('safeStorage: refuses to save when encryption is unavailable, and says why', async (t) => {
  const dir = tempDir(t);
  for (const safe of [fakeSafeStorage(false), fakeSafeStorage(true, 'basic_text')]) {
    const store = new SafeStorageSecretStore(dir, safe, 'linux');
    await assert.rejects(store.write('demo', TOKEN), (e: Error) => {
      assert.ok(e instanceof SecretStoreError);
      assert.equal(e.message, NO_ENCRYPTION_MESSAGE);
      assert.match(e.message, /will not keep it in plain text/);
      assert.ok(!e.message.includes(TOKEN));
      return true;
    });
  }
  assert.throws(() => statSync(path.join(dir, 'demo', 'token.enc')), 'nothing written');
});

test('safeStorage: a token encrypted for someone else reads as "no token"', async (t) => {
  const dir = tempDir(t);
  await new SafeStorageSecretStore(dir, fakeSafeStorage(true)).write('demo', TOKEN);
  const other = likeNative({
    ...fakeSafeStorage(true),
    decryptString: () => {
      throw new Error('decrypt failed');
    },
  });
  assert.equal(await new SafeStorageSecretStore(dir, other).read('demo'), null);
});

test('headless file store: one file per environment, readable only by its owner', async (t) => {
  const dir = tempDir(t);
  const store = new FileSecretStore(dir);
  await store.write('production', TOKEN.replace('demo', 'production'));
  assert.equal(await store.read('production'), TOKEN.replace('demo', 'production'));
  assert.equal(await store.read('demo'), null);
  if (process.platform !== 'win32') {
    assert.equal(statSync(path.join(dir, 'production', 'token')).mode & 0o777, 0o600);
  }
});

/** Electron 45's async API beside the sync one: blobs of the sync API decrypt, and ask to be re-encrypted. */
function asyncSafeStorage() {
  const sync = fakeSafeStorage(true);
  const calls: string[] = [];
  return likeNative({
    calls,
    ...sync,
    isAsyncEncryptionAvailable: async () => true,
    encryptStringAsync: async (s: string) => {
      calls.push('encryptStringAsync');
      return Buffer.from(`async:${Buffer.from(s).toString('base64')}`);
    },
    decryptStringAsync: async (b: Buffer) => {
      calls.push('decryptStringAsync');
      const text = b.toString();
      if (text.startsWith('async:'))
        return { result: Buffer.from(text.slice(6), 'base64').toString(), shouldReEncrypt: false };
      return { result: sync.decryptString(b), shouldReEncrypt: true };
    },
  });
}

test('safeStorage: the async API is used where Electron has it, and a token the sync API wrote is re-encrypted once', async (t) => {
  const dir = tempDir(t);
  await new SafeStorageSecretStore(dir, fakeSafeStorage(true), 'win32').write('demo', TOKEN);
  const file = path.join(dir, 'demo', 'token.enc');
  assert.match(readFileSync(file, 'latin1'), /^enc:/, 'written by the sync API (an earlier version)');
  const safe = asyncSafeStorage();
  const store = new SafeStorageSecretStore(dir, safe, 'win32');
  assert.equal(await store.read('demo'), TOKEN);
  assert.match(readFileSync(file, 'latin1'), /^async:/, 're-encrypted with the async API');
  assert.equal(await store.read('demo'), TOKEN);
  assert.deepEqual(safe.calls, ['decryptStringAsync', 'encryptStringAsync', 'decryptStringAsync']);
  await store.write('production', TOKEN.replace('demo', 'production'));
  assert.match(readFileSync(path.join(dir, 'production', 'token.enc'), 'latin1'), /^async:/);
});

test('safeStorage: a password typed in the wizard is stored encrypted beside the token, and read back by name', async (t) => {
  const dir = tempDir(t);
  const store = new SafeStorageSecretStore(dir, fakeSafeStorage(true), 'win32');
  await store.write('demo', TOKEN);
  await store.writeNamed('demo', 'patientLookup.connection.password', 'Db-Pass-4417');
  const file = path.join(dir, 'demo', 'secrets', 'patientLookup.connection.password.enc');
  assert.ok(!readFileSync(file, 'latin1').includes('Db-Pass-4417'), 'never plain text on disk');
  assert.equal(statSync(file).mode & 0o077, 0);
  assert.equal(await store.readNamed('demo', 'patientLookup.connection.password'), 'Db-Pass-4417');
  assert.equal(await store.read('demo'), TOKEN, 'the token is untouched');
  // With Electron 45's async API too, by name, beside the token.
  const asyncStore = new SafeStorageSecretStore(dir, asyncSafeStorage(), 'win32');
  await asyncStore.writeNamed('demo', 'consentStore.auth.password', 'Store-Pass-88');
  assert.equal(await asyncStore.readNamed('demo', 'consentStore.auth.password'), 'Store-Pass-88');
  await assert.rejects(
    new SafeStorageSecretStore(dir, fakeSafeStorage(false), 'win32').writeNamed('demo', 'x.password', 'p'),
    SecretStoreError,
  );
});
