// The one common lookup pipeline: Title Case, gender table, NHS number, schema and demo safety.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { titleCaseName } from '../../src/main/integrations/common/title-case.js';
import { lookupPatient, normalisePatient } from '../../src/main/integrations/lookup-pipeline.js';
import type { PatientLookupSource, SourcePatient } from '../../src/main/integrations/types.js';
import { RpcError } from '../../src/shared/protocol/index.js';

const base: SourcePatient = {
  title: 'MRS',
  firstName: 'MARY',
  middleNames: 'ANNE LOUISE',
  familyName: 'MCDONALD',
  dateOfBirth: '1970-01-15',
  gender: 'F',
  localIdentifier: 'RX12345',
  nationalIdentifier: '943 476 5919',
  email: null,
  mobile: null,
  isTestPatient: true,
};

function source(records: SourcePatient[], genderMap?: Record<string, 'male' | 'female' | 'other' | 'unknown'>) {
  const s: PatientLookupSource = {
    type: 'fake',
    genderMap,
    lookup: async () => records,
    ping: async () => true,
    close: async () => {},
  };
  return s;
}

const signal = new AbortController().signal;

test('Title Case converts only names stored in capitals', () => {
  const cases: Array<[string, string]> = [
    ['MCDONALD', 'McDonald'],
    ['MACDONALD', 'MacDonald'],
    ['MACHIN', 'Machin'],
    ["O'BRIEN", "O'Brien"],
    ['SMITH-JONES', 'Smith-Jones'],
    ['VAN DER BERG', 'Van der Berg'],
    ['van der Berg', 'van der Berg'],
    ['McDonald', 'McDonald'],
    ['deSouza', 'deSouza'],
    ['JEAN-PAUL', 'Jean-Paul'],
    ['ÉMILE', 'Émile'],
  ];
  for (const [stored, expected] of cases) assert.equal(titleCaseName(stored), expected, stored);
});

test('the pipeline applies Title Case only when configured', () => {
  const on = normalisePatient(base, { environment: 'production', titleCaseNames: true });
  assert.deepEqual([on.title, on.firstName, on.middleNames, on.familyName], ['Mrs', 'Mary', 'Anne Louise', 'McDonald']);
  const off = normalisePatient(base, { environment: 'production' });
  assert.equal(off.familyName, 'MCDONALD');
  assert.equal(off.nationalIdentifier, '9434765919');
});

test('gender codes map through the built-in table and a configured one', async () => {
  for (const [code, gender] of [
    ['M', 'male'],
    ['female', 'female'],
    ['U', 'unknown'],
    ['A', 'other'],
    ['N', 'unknown'],
  ] as const) {
    assert.equal(normalisePatient({ ...base, gender: code }, { environment: 'production' }).gender, gender);
  }
  assert.throws(
    () => normalisePatient({ ...base, gender: '2' }, { environment: 'production' }),
    (e: unknown) => e instanceof RpcError && e.reason === 'invalid_source_record' && /gender/.test(e.message),
  );
  const result = await lookupPatient(
    source([{ ...base, gender: '2' }], { '1': 'male', '2': 'female' }),
    'rx12345',
    {
      environment: 'production',
    },
    { signal },
  );
  assert.equal(result.patient?.gender, 'female');
  const blank = await lookupPatient(
    source([{ ...base, gender: '' }], { '': 'unknown' }),
    'rx12345',
    {
      environment: 'production',
    },
    { signal },
  );
  assert.equal(blank.patient?.gender, 'unknown');
});

test('a bad NHS check digit or a partial date is invalid_source_record naming the field, not the value', () => {
  const cases: Array<[Partial<SourcePatient>, string]> = [
    [{ nationalIdentifier: '9434765910' }, 'nationalIdentifier'],
    [{ dateOfBirth: '1970' }, 'dateOfBirth'],
    [{ dateOfBirth: '1970-09' }, 'dateOfBirth'],
    [{ firstName: '' }, 'firstName'],
  ];
  for (const [change, field] of cases) {
    assert.throws(
      () => normalisePatient({ ...base, ...change }, { environment: 'production' }),
      (e: unknown) =>
        e instanceof RpcError &&
        e.reason === 'invalid_source_record' &&
        e.message.includes(field) &&
        !/1970|9434765910|MARY/.test(e.message),
    );
  }
});

test('demo environment refuses records not flagged as test patients unless the source holds only test data', async () => {
  const real = source([{ ...base, isTestPatient: false }]);
  await assert.rejects(
    lookupPatient(real, 'rx12345', { environment: 'demo' }, { signal }),
    (e: unknown) => e instanceof RpcError && e.reason === 'not_test_patient',
  );
  const allowed = await lookupPatient(
    real,
    'rx12345',
    { environment: 'demo', sourceHoldsOnlyTestData: true },
    { signal },
  );
  assert.equal(allowed.patient?.localIdentifier, 'RX12345');
});
