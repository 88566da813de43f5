// Guards in the common pipelines that every source and store relies on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storeConsent } from '../../src/main/integrations/consent-pipeline.js';
import { FolderStore } from '../../src/main/integrations/folder/folder-store.js';
import { normalisePatient } from '../../src/main/integrations/lookup-pipeline.js';
import type { SourcePatient } from '../../src/main/integrations/types.js';
import { isCalendarDate, RpcError } from '../../src/shared/protocol/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { consentParams } from './helpers/consent-params.js';
import { NO_DEADLINE } from './helpers/signals.js';

const record: SourcePatient = {
  title: null,
  firstName: 'Ada',
  middleNames: null,
  familyName: 'Lovelace',
  dateOfBirth: '1980-02-29',
  gender: 'female',
  localIdentifier: 'H123',
  nationalIdentifier: '9434765919',
  email: null,
  mobile: null,
};
const policy = { environment: 'production' } as const;

function failure(fn: () => unknown): RpcError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof RpcError);
    return error;
  }
  assert.fail('expected an RpcError');
}

test('an NHS number that arrives as a number is an invalid record, not an internal error', () => {
  const error = failure(() =>
    normalisePatient({ ...record, nationalIdentifier: 9434765919 as unknown as string }, policy),
  );
  assert.equal(error.reason, 'invalid_source_record');
  assert.match(error.message, /nationalIdentifier/);
  assert.ok(!error.message.includes('9434765919'));
});

test('dates of birth must be real calendar dates', () => {
  assert.equal(normalisePatient(record, policy).dateOfBirth, '1980-02-29');
  for (const bad of ['1970-02-31', '1981-02-29', '0000-00-00', '1970-13-01', '1970-1-01']) {
    const error = failure(() => normalisePatient({ ...record, dateOfBirth: bad }, policy));
    assert.equal(error.reason, 'invalid_source_record', bad);
    assert.ok(!error.message.includes(bad), 'the value is never echoed');
  }
  assert.equal(isCalendarDate('2000-02-29'), true);
  assert.equal(isCalendarDate('1900-02-29'), false);
});

test('the same documentId in capitals is the same document', async (t) => {
  const store = new FolderStore({ type: 'folder', path: tempDir(t) }, '/');
  const params = consentParams();
  const first = await storeConsent(store, params, { signal: NO_DEADLINE });
  const again = await storeConsent(
    store,
    { ...params, documentId: params.documentId.toUpperCase() },
    { signal: NO_DEADLINE },
  );
  assert.deepEqual(again, { ...first, duplicate: true });
});
