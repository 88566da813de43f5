// The "Test" functions behind the wizard and `check`: real lookup, real store, plain-words failures.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DemoSource } from '../../src/main/integrations/demo/demo-source.js';
import { FolderStore } from '../../src/main/integrations/folder/folder-store.js';
import { HttpPatientSource } from '../../src/main/integrations/http/http-patient-source.js';
import { SELF_TEST_FILE_NAME, testDocumentStore, testLookup } from '../../src/main/integrations/self-test.js';
import { tempDir } from '../helpers/temp-dir.js';
import { closedPort } from './helpers/ports.js';
import { NO_DEADLINE } from './helpers/signals.js';

test('testLookup returns the mapped patient, "no patient", or a plain-words failure', async (t) => {
  const demo = new DemoSource({ type: 'demo' });
  const found = await testLookup(demo, { environment: 'demo' }, 'D100000', NO_DEADLINE);
  assert.ok(found.ok && found.result.patient?.localIdentifier === 'D100000');
  const none = await testLookup(demo, { environment: 'demo' }, 'nobody', NO_DEADLINE);
  assert.ok(none.ok && none.result.patient === null);
  assert.match(none.message, /no patient/);
  const down = new HttpPatientSource(
    {
      type: 'http',
      url: `http://127.0.0.1:${await closedPort()}/p/{id}`,
      fields: { firstName: '$.a', familyName: '$.b', dateOfBirth: '$.c', gender: '$.d', localIdentifier: '$.e' },
    },
    '.',
  );
  t.after(() => down.close());
  const failed = await testLookup(down, { environment: 'production' }, 'x1', NO_DEADLINE);
  assert.ok(!failed.ok);
  assert.equal(failed.reason, 'source_unavailable');
  assert.match(failed.message, /could not be reached/);
});

test('testDocumentStore files one clearly named test document, and the same one on every run', async (t) => {
  const root = tempDir(t);
  const store = new FolderStore({ type: 'folder', path: root, fileNamePattern: '{fileName}' }, '/');
  const first = await testDocumentStore(store, NO_DEADLINE);
  assert.ok(first.ok, first.message);
  assert.ok(first.location.endsWith(SELF_TEST_FILE_NAME));
  assert.equal(readFileSync(first.location, 'latin1').slice(0, 5), '%PDF-');
  const second = await testDocumentStore(store, NO_DEADLINE);
  assert.ok(second.ok && second.location === first.location);
  assert.match(second.message, /already filed/);
  const notAFolder = path.join(root, SELF_TEST_FILE_NAME);
  const broken = new FolderStore({ type: 'folder', path: path.join(notAFolder, 'sub') }, '/');
  const failed = await testDocumentStore(broken, NO_DEADLINE);
  assert.ok(!failed.ok && failed.reason === 'source_unavailable');
});
