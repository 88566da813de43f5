// The folder store writes only inside its folder. A symlink inside it that leads outside (planted
// on a share, or left by someone tidying it) is refused in words before anything is created or
// written through it — for the document's sub-folder and for the store's own index alike.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { storeConsent } from '../../src/main/integrations/consent-pipeline.js';
import { FolderStore } from '../../src/main/integrations/folder/folder-store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { assertNoPersonalData, capturingLogger, rpcFailure } from '../integrations/helpers/capture.js';
import { CONSENT_PERSONAL, consentParams } from '../integrations/helpers/consent-params.js';
import { NO_DEADLINE } from '../integrations/helpers/signals.js';

function folders(t: TestContext): { root: string; outside: string } {
  const base = tempDir(t);
  const root = path.join(base, 'consents');
  const outside = path.join(base, 'elsewhere');
  mkdirSync(root);
  mkdirSync(outside);
  return { root, outside };
}

/** Everything under a folder, links not followed. */
function everything(dir: string): string[] {
  return readdirSync(dir, { recursive: true }) as string[];
}

test('a sub-folder that is a symlink out of the folder: refused in words, nothing written outside', async (t) => {
  const { root, outside } = folders(t);
  symlinkSync(outside, path.join(root, 'RX1001'), 'dir');
  const logger = capturingLogger();
  const store = new FolderStore(
    { type: 'folder', path: root, fileNamePattern: '{localIdentifier}/{documentId}' },
    '.',
    logger,
  );
  const failure = await rpcFailure(storeConsent(store, consentParams(), { signal: NO_DEADLINE }));
  assert.equal(failure.reason, 'source_unavailable');
  assert.match(failure.message, /is a link \(symlink or junction\) to somewhere outside it, so nothing was written/);
  assert.deepEqual(everything(outside), []);
  // A link deeper down (a folder made through the link would already be outside).
  const deeper = new FolderStore(
    { type: 'folder', path: root, fileNamePattern: '{localIdentifier}/{consentedDate}/{documentId}' },
    '.',
    logger,
  );
  await rpcFailure(storeConsent(deeper, consentParams(), { signal: NO_DEADLINE }));
  assert.deepEqual(everything(outside), []);
  assertNoPersonalData([...logger.lines, failure.message], CONSENT_PERSONAL);
});

test("the store's own index folder as a symlink out of the folder is refused too", async (t) => {
  const { root, outside } = folders(t);
  symlinkSync(outside, path.join(root, '.cloud-connector'), 'dir');
  const store = new FolderStore({ type: 'folder', path: root }, '.');
  const failure = await rpcFailure(storeConsent(store, consentParams(), { signal: NO_DEADLINE }));
  assert.match(failure.message, /outside it, so nothing was written/);
  assert.deepEqual(everything(outside), []);
});

test('links that stay inside the folder, and a folder that is itself a link, still work', async (t) => {
  const { root, outside } = folders(t);
  mkdirSync(path.join(root, 'archive'));
  symlinkSync(path.join(root, 'archive'), path.join(root, 'RX1001'), 'dir');
  const store = new FolderStore({ type: 'folder', path: root, fileNamePattern: '{localIdentifier}/{documentId}' }, '.');
  const result = await storeConsent(store, consentParams(), { signal: NO_DEADLINE });
  assert.equal(result.stored, true);
  assert.equal(everything(path.join(root, 'archive')).filter((f) => f.endsWith('.pdf')).length, 1);

  const mapped = path.join(path.dirname(root), 'mapped-share');
  symlinkSync(outside, mapped, 'dir');
  const viaLink = new FolderStore({ type: 'folder', path: mapped }, '.');
  assert.equal((await storeConsent(viaLink, consentParams(), { signal: NO_DEADLINE })).stored, true);
  assert.equal(everything(outside).filter((f) => f.endsWith('.pdf')).length, 1);
});
