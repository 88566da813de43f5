// consentStore type folder: atomic writes, JSON sidecar, idempotency by documentId, safe names.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { storeConsent } from '../../src/main/integrations/consent-pipeline.js';
import { FolderStore } from '../../src/main/integrations/folder/folder-store.js';
import type { ConsentStoreParams } from '../../src/shared/protocol/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { assertNoPersonalData, capturingLogger, rpcFailure } from './helpers/capture.js';
import { CONSENT_PERSONAL, consentParams, TINY_PDF } from './helpers/consent-params.js';
import { cancellable, NO_DEADLINE } from './helpers/signals.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Every file under the folder, relative, with forward slashes. */
function walk(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) visit(full);
      else out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  visit(root);
  return out.sort();
}

const visible = (files: string[]) => files.filter((f) => !f.split('/').some((part) => part.startsWith('.')));

test('writes the PDF and a JSON sidecar; a second call with the same documentId is a duplicate and writes nothing', async (t) => {
  const root = tempDir(t);
  const store = new FolderStore({ type: 'folder', path: root }, '/');
  const params = consentParams();
  const first = await storeConsent(store, params, { signal: NO_DEADLINE });
  assert.equal(first.duplicate, false);
  assert.equal(first.location, path.join(root, `consent-${params.documentId}.pdf`));
  assert.deepEqual(readFileSync(first.location), TINY_PDF);
  const sidecar = JSON.parse(readFileSync(first.location.replace(/\.pdf$/, '.json'), 'utf8'));
  assert.equal(sidecar.documentId, params.documentId);
  assert.equal(sidecar.sha256, params.sha256);
  assert.deepEqual(sidecar.patient, params.patient);
  assert.deepEqual(sidecar.document, params.document);
  const before = walk(root);
  const mtime = statSync(first.location).mtimeMs;

  const again = await storeConsent(store, params, { signal: NO_DEADLINE });
  assert.deepEqual(again, { stored: true, location: first.location, duplicate: true });
  assert.deepEqual(walk(root), before);
  assert.equal(statSync(first.location).mtimeMs, mtime);
  assert.equal(visible(walk(root)).length, 2);
  assert.ok(!walk(root).some((f) => f.includes('.cc-partial-')), 'no temporary file is left behind');

  // Concurrent duplicates (platform failover) still produce one document.
  const twin = consentParams();
  const results = await Promise.all([1, 2, 3].map(() => storeConsent(store, twin, { signal: NO_DEADLINE })));
  assert.deepEqual(results.map((r) => r.duplicate).sort(), [false, true, true]);
  assert.equal(new Set(results.map((r) => r.location)).size, 1);
});

test('file names from a pattern; another document with the same name is never overwritten', async (t) => {
  const root = tempDir(t);
  const store = new FolderStore(
    {
      type: 'folder',
      path: root,
      fileNamePattern: '{localIdentifier}/{consentedDate} {procedure} ({side})',
      sidecar: false,
    },
    '/',
  );
  const a = await storeConsent(store, consentParams(), { signal: NO_DEADLINE });
  const b = await storeConsent(store, consentParams(), { signal: NO_DEADLINE });
  assert.equal(a.location, path.join(root, 'RX1001', '2024-05-01 Total knee replacement (left).pdf'));
  assert.equal(b.location, path.join(root, 'RX1001', '2024-05-01 Total knee replacement (left) (2).pdf'));
  assert.deepEqual(visible(walk(root)), [
    'RX1001/2024-05-01 Total knee replacement (left) (2).pdf',
    'RX1001/2024-05-01 Total knee replacement (left).pdf',
  ]);
});

test('different documents stored at the same moment under the same name each keep their own file', async (t) => {
  const root = tempDir(t);
  const store = new FolderStore({ type: 'folder', path: root, fileNamePattern: '{localIdentifier}' }, '/');
  const pdfs = [1, 2, 3, 4].map((n) => Buffer.concat([TINY_PDF, Buffer.from(`% document ${n}\n`)]));
  const params = pdfs.map((pdf) => consentParams({}, pdf));
  const results = await Promise.all(params.map((p) => storeConsent(store, p, { signal: NO_DEADLINE })));
  assert.equal(new Set(results.map((r) => r.location)).size, 4, 'four different files');
  results.forEach((r, i) => {
    assert.deepEqual(readFileSync(r.location), pdfs[i], 'each location holds its own document');
    const sidecar = JSON.parse(readFileSync(r.location.replace(/\.pdf$/, '.json'), 'utf8'));
    assert.equal(sidecar.documentId, params[i]?.documentId);
  });
});

test('an index entry whose file now holds another document is not taken for a duplicate', async (t) => {
  const root = tempDir(t);
  const store = new FolderStore(
    { type: 'folder', path: root, fileNamePattern: '{localIdentifier}', sidecar: false },
    '/',
  );
  const first = consentParams({}, Buffer.concat([TINY_PDF, Buffer.from('% first\n')]));
  const stored = await storeConsent(store, first, { signal: NO_DEADLINE });
  // As if the file had been lost and the name reused by another document since.
  const other = Buffer.concat([TINY_PDF, Buffer.from('% someone else\n')]);
  writeFileSync(stored.location, other);
  const again = await storeConsent(store, first, { signal: NO_DEADLINE });
  assert.equal(again.duplicate, false, 'stored again rather than pointing at the other document');
  assert.notEqual(again.location, stored.location);
  assert.deepEqual(readFileSync(stored.location), other, 'the other document is untouched');
  assert.deepEqual(readFileSync(again.location), Buffer.from(first.dataBase64, 'base64'));
});

test('path traversal in every field stays inside the folder', async (t) => {
  const outer = tempDir(t);
  const root = path.join(outer, 'consents');
  const store = new FolderStore(
    {
      type: 'folder',
      path: root,
      fileNamePattern:
        '{localIdentifier}/{nationalIdentifier}/{familyName}/{firstName}/{episodeId}/{procedure}/{title}/{fileName}-{side}-{dateOfBirth}-{consentedDate}-{documentId}',
    },
    '/',
  );
  const attacks = [
    '../../../etc/passwd',
    '..\\..\\windows\\win.ini',
    '/etc/shadow',
    'C:\\Windows\\x',
    '..',
    '.',
    'CON',
    ' .. ',
    'a/../../b',
    '%2e%2e%2f',
    'x\u0000y',
    '~/.ssh/id_rsa',
    '\\\\server\\share',
  ];
  for (const attack of attacks) {
    const params: ConsentStoreParams = consentParams({ episodeId: attack, fileName: `${attack}.pdf` });
    params.patient = {
      ...params.patient,
      localIdentifier: attack,
      nationalIdentifier: attack,
      familyName: attack,
      firstName: attack,
    };
    params.document = { ...params.document, procedure: attack, title: attack };
    const result = await storeConsent(store, params, { signal: NO_DEADLINE });
    assert.ok(result.location.startsWith(root + path.sep), `${JSON.stringify(attack)} → ${result.location}`);
    assert.deepEqual(readFileSync(result.location), TINY_PDF);
  }
  // Nothing was written anywhere but the consents folder.
  assert.deepEqual(readdirSync(outer), ['consents']);
  for (const file of walk(root)) {
    for (const part of file.split('/')) {
      assert.ok(part !== '..' && part !== '.' && !/^con(\.|$)/i.test(part), file);
    }
  }
});

test('a crash between writing and renaming leaves no visible partial document; the retry stores it', async (t) => {
  const root = tempDir(t);
  const params = consentParams();
  const paramsFile = path.join(tempDir(t), 'params.json');
  writeFileSync(paramsFile, JSON.stringify(params));
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(HERE, 'helpers/folder-crash-child.ts'), root, paramsFile],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  assert.equal(child.signal, 'SIGKILL', `the child should have been killed mid-write: ${child.stderr}`);
  assert.deepEqual(visible(walk(root)), [], 'no PDF or sidecar is visible after the crash');
  assert.ok(
    walk(root).some((f) => f.includes('.cc-partial-')),
    'the crash really happened after writing',
  );

  const store = new FolderStore({ type: 'folder', path: root }, '/');
  const retry = await storeConsent(store, params, { signal: NO_DEADLINE });
  assert.equal(retry.duplicate, false);
  assert.deepEqual(readFileSync(retry.location), TINY_PDF);
});

test('cancel before commit leaves nothing; bad data is integrity_error; an unusable folder is source_unavailable', async (t) => {
  const root = tempDir(t);
  const call = cancellable();
  const logger = capturingLogger();
  const store = new FolderStore({ type: 'folder', path: root }, '/', logger, {
    beforeCommit: async () => call.cancel(),
  });
  const cancelled = await rpcFailure(storeConsent(store, consentParams(), { signal: call.signal }));
  assert.equal(cancelled.reason, 'cancelled');
  assert.deepEqual(
    walk(root).filter((f) => !f.startsWith('.cloud-connector/')),
    [],
  );

  const plain = new FolderStore({ type: 'folder', path: root }, '/', logger);
  const wrongHash = await rpcFailure(
    storeConsent(plain, { ...consentParams(), sha256: 'a'.repeat(64) }, { signal: NO_DEADLINE }),
  );
  assert.equal(wrongHash.reason, 'integrity_error');
  const notPdf = Buffer.from('hello, not a pdf');
  const html = await rpcFailure(storeConsent(plain, consentParams({}, notPdf), { signal: NO_DEADLINE }));
  assert.equal(html.reason, 'integrity_error');
  assert.deepEqual(visible(walk(root)), []);

  const file = path.join(tempDir(t), 'not-a-folder');
  writeFileSync(file, 'x');
  const broken = new FolderStore({ type: 'folder', path: path.join(file, 'consents') }, '/', logger);
  const failure = await rpcFailure(storeConsent(broken, consentParams(), { signal: NO_DEADLINE }));
  assert.equal(failure.reason, 'source_unavailable');
  assert.equal(await broken.ping(), false);
  assert.equal(await plain.ping(), true);
  assert.ok(!existsSync(path.join(file, 'consents')));
  assertNoPersonalData(
    [cancelled.message, wrongHash.message, html.message, failure.message, ...logger.lines],
    CONSENT_PERSONAL,
  );
});
