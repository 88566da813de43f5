// patientLookup type fhir against a real FHIR server (Medplum's router, in memory, over HTTP),
// seeded with hand-written UK Core-style patients.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import type { Patient as FhirPatient } from '@medplum/fhirtypes';
import type { z } from 'zod';
import { FhirPatientSource } from '../../src/main/integrations/fhir/fhir-patient-source.js';
import { type LookupPolicy, lookupPatient } from '../../src/main/integrations/lookup-pipeline.js';
import {
  type fhirLookupConfigSchema,
  NHS_NUMBER_SYSTEM,
  OLD_NHS_NUMBER_SYSTEM,
} from '../../src/shared/config/sources.js';
import { tempDir } from '../helpers/temp-dir.js';
import { testPki } from '../helpers/tls.js';
import { assertNoPersonalData, capturingLogger, rpcFailure } from './helpers/capture.js';
import { type FhirServer, type FhirServerOptions, startFhirServer } from './helpers/fhir-server.js';
import { closedPort } from './helpers/ports.js';
import { cancellable, deadline, NO_DEADLINE, nhsNumber } from './helpers/signals.js';

const LOCAL = 'https://fhir.example-trust.nhs.uk/Id/hospital-number';
const OTHER = 'https://other-trust.example/Id/mrn';
const NHS_MARY = nhsNumber('943476591');
const NHS_OLD_SYSTEM = nhsNumber('900000000');
const PRODUCTION: LookupPolicy = { environment: 'production' };

/** Every identifier, name and date of birth seeded: none may appear in a log line or error. */
const PERSONAL = [
  'rx1001',
  NHS_MARY,
  'MCDONALD',
  'McDonald',
  'Mary',
  '1958-03-14',
  'ab12cd',
  'KOWALCZYK',
  '1981-11-02',
  '555123',
  'mrg001',
  'mrg002',
  'PD001',
  'BAD001',
  'DUP001',
  'Reilly',
];

async function seed(server: FhirServer): Promise<void> {
  await server.create<FhirPatient>({
    resourceType: 'Patient',
    identifier: [
      { system: LOCAL, value: 'RX1001' },
      { system: NHS_NUMBER_SYSTEM, value: NHS_MARY },
    ],
    name: [
      { use: 'usual', given: ['Molly'], family: 'McDonald' },
      { use: 'official', prefix: ['MRS'], given: ['MARY', 'ANNE', 'LOUISE'], family: 'MCDONALD' },
    ],
    birthDate: '1958-03-14',
    gender: 'female',
    telecom: [
      { system: 'phone', use: 'home', value: '01632 960001' },
      { system: 'phone', use: 'mobile', value: '07700 900123' },
      { system: 'email', value: 'mary.mcdonald@example.invalid' },
    ],
  });
  // Upper-case local identifier with letters, NHS number under the older nhs.net system.
  await server.create<FhirPatient>({
    resourceType: 'Patient',
    identifier: [
      { system: LOCAL, value: 'AB12CD' },
      { system: OLD_NHS_NUMBER_SYSTEM, value: NHS_OLD_SYSTEM },
    ],
    name: [{ given: ['PIOTR'], family: 'KOWALCZYK' }],
    birthDate: '1981-11-02',
    gender: 'male',
  });
  // The same bare value in two systems: only the local one is ours.
  await server.create<FhirPatient>({
    resourceType: 'Patient',
    identifier: [{ system: LOCAL, value: '555123' }],
    name: [{ given: ['Aoife'], family: 'Reilly' }],
    birthDate: '1990-05-05',
    gender: 'female',
  });
  await server.create<FhirPatient>({
    resourceType: 'Patient',
    identifier: [{ system: OTHER, value: '555123' }],
    name: [{ given: ['Somebody'], family: 'Else' }],
    birthDate: '1940-01-01',
    gender: 'male',
  });
  // Merged: MRG001 was replaced by MRG002; OLD001 was replaced by MRG001 (two hops: never followed).
  const survivor = await server.create<FhirPatient>({
    resourceType: 'Patient',
    identifier: [{ system: LOCAL, value: 'MRG002' }],
    name: [{ given: ['Kwame'], family: 'Mensah' }],
    birthDate: '1975-07-21',
    gender: 'male',
  });
  const merged = await server.create<FhirPatient>({
    resourceType: 'Patient',
    active: false,
    identifier: [{ system: LOCAL, value: 'MRG001' }],
    name: [{ given: ['Kwame'], family: 'Mensah' }],
    birthDate: '1975-07-21',
    gender: 'male',
    link: [{ type: 'replaced-by', other: { reference: `Patient/${survivor.id}` } }],
  });
  await server.create<FhirPatient>({
    resourceType: 'Patient',
    active: false,
    identifier: [{ system: LOCAL, value: 'OLD001' }],
    name: [{ given: ['Kwame'], family: 'Mensah' }],
    birthDate: '1975-07-21',
    gender: 'male',
    link: [{ type: 'replaced-by', other: { reference: `Patient/${merged.id}` } }],
  });
  await server.create<FhirPatient>({
    resourceType: 'Patient',
    active: false,
    identifier: [{ system: LOCAL, value: 'INA001' }],
    name: [{ given: ['Inactive'], family: 'Record' }],
    birthDate: '1960-01-01',
    gender: 'unknown',
  });
  await server.create<FhirPatient>({
    resourceType: 'Patient',
    identifier: [{ system: LOCAL, value: 'PD001' }],
    name: [{ given: ['Partial'], family: 'Date' }],
    birthDate: '1970',
    gender: 'female',
  });
  await server.create<FhirPatient>({
    resourceType: 'Patient',
    meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HTEST' }] },
    identifier: [{ system: LOCAL, value: 'TST001' }],
    name: [{ given: ['Test'], family: 'Patient' }],
    birthDate: '2000-02-29',
    gender: 'other',
  });
  await server.create<FhirPatient>({
    resourceType: 'Patient',
    identifier: [
      { system: LOCAL, value: 'BAD001' },
      { system: NHS_NUMBER_SYSTEM, value: '9434765910' },
    ],
    name: [{ given: ['Bad'], family: 'Check' }],
    birthDate: '1950-10-10',
    gender: 'male',
  });
  for (const given of ['One', 'Two']) {
    await server.create<FhirPatient>({
      resourceType: 'Patient',
      identifier: [{ system: LOCAL, value: 'DUP001' }],
      name: [{ given: [given], family: 'Duplicate' }],
      birthDate: '1966-06-06',
      gender: 'female',
    });
  }
}

type Config = z.infer<typeof fhirLookupConfigSchema>;

async function setup(t: TestContext, serverOptions: FhirServerOptions = {}, extra: Partial<Config> = {}) {
  const server = await startFhirServer(t, { caseSensitiveIdentifiers: true, ...serverOptions });
  await seed(server);
  const logger = capturingLogger();
  const dir = tempDir(t);
  const source = new FhirPatientSource(
    { type: 'fhir', baseUrl: server.baseUrl, identifierSystems: { local: LOCAL }, ...extra },
    dir,
    logger,
  );
  t.after(() => source.close());
  return { server, source, logger, dir };
}

test('maps a UK Core patient: official name, title, middle names, identifiers, mobile, email', async (t) => {
  const { source, logger } = await setup(t);
  const { patient } = await lookupPatient(
    source,
    ' RX 1001 ',
    { ...PRODUCTION, titleCaseNames: true },
    {
      signal: NO_DEADLINE,
    },
  );
  assert.deepEqual(patient, {
    title: 'Mrs',
    firstName: 'Mary',
    middleNames: 'Anne Louise',
    familyName: 'McDonald',
    dateOfBirth: '1958-03-14',
    gender: 'female',
    localIdentifier: 'RX1001',
    nationalIdentifier: NHS_MARY,
    email: 'mary.mcdonald@example.invalid',
    mobile: '07700 900123',
    isTestPatient: false,
  });
  // By NHS number too, and without Title Case the stored capitals stay.
  const byNhs = await lookupPatient(source, NHS_MARY, PRODUCTION, { signal: NO_DEADLINE });
  assert.equal(byNhs.patient?.familyName, 'MCDONALD');
  assertNoPersonalData(logger.lines, PERSONAL);
});

test('a downcased identifier is retried in upper case on a case-sensitive server', async (t) => {
  const { source, server } = await setup(t);
  const { patient } = await lookupPatient(source, 'ab12cd', PRODUCTION, { signal: NO_DEADLINE });
  assert.equal(patient?.localIdentifier, 'AB12CD');
  assert.equal(patient?.nationalIdentifier, NHS_OLD_SYSTEM, 'the older nhs.net system is accepted');
  const searches = server.requests.filter((r) => r.startsWith('GET /fhir/Patient?'));
  assert.equal(searches.length, 2);
  assert.match(decodeURIComponent(searches[0] ?? ''), /\|ab12cd/);
  assert.match(decodeURIComponent(searches[1] ?? ''), /\|AB12CD/);
  // Digits only: nothing to retry.
  server.requests.length = 0;
  assert.deepEqual(await lookupPatient(source, '123456', PRODUCTION, { signal: NO_DEADLINE }), { patient: null });
  assert.equal(server.requests.length, 1);
});

test('a bare value shared with another system matches only the configured system', async (t) => {
  for (const searchBy of ['value', 'token'] as const) {
    const { source, server } = await setup(t, {}, { searchBy });
    const { patient } = await lookupPatient(source, '555123', PRODUCTION, { signal: NO_DEADLINE });
    assert.equal(patient?.familyName, 'Reilly', searchBy);
    const query = decodeURIComponent(server.requests.at(-1) ?? '');
    assert.equal(query.includes(`${LOCAL}|555123`), searchBy === 'token');
  }
});

test('merged records: replaced-by is followed once; inactive or twice-replaced records are never the answer', async (t) => {
  const { source } = await setup(t);
  const merged = await lookupPatient(source, 'mrg001', PRODUCTION, { signal: NO_DEADLINE });
  assert.equal(merged.patient?.localIdentifier, 'MRG002');
  assert.deepEqual(await lookupPatient(source, 'old001', PRODUCTION, { signal: NO_DEADLINE }), { patient: null });
  assert.deepEqual(await lookupPatient(source, 'ina001', PRODUCTION, { signal: NO_DEADLINE }), { patient: null });
});

test('replaced-by is followed only on our server: absolute links elsewhere make the record not current', async (t) => {
  const { source, server } = await setup(t);
  const survivor = await server.create<FhirPatient>({
    resourceType: 'Patient',
    identifier: [{ system: LOCAL, value: 'SRV002' }],
    name: [{ given: ['Kept'], family: 'Here' }],
    birthDate: '1975-07-21',
    gender: 'male',
  });
  const mergedInto = async (value: string, reference: string) =>
    server.create<FhirPatient>({
      resourceType: 'Patient',
      active: false,
      identifier: [{ system: LOCAL, value }],
      name: [{ given: ['Merged'], family: 'Away' }],
      birthDate: '1975-07-21',
      gender: 'male',
      link: [{ type: 'replaced-by', other: { reference } }],
    });
  // Patient/{id} at another server is a different record there, whatever our Patient/{id} is.
  await mergedInto('ELS001', `https://other-trust.example/fhir/Patient/${survivor.id}`);
  await mergedInto('ELS002', `${server.baseUrl.replace('/fhir', '/elsewhere')}/Patient/${survivor.id}`);
  await mergedInto('DOT001', 'Patient/..');
  await mergedInto('OUR001', `${server.baseUrl}/Patient/${survivor.id}`);
  for (const id of ['els001', 'els002', 'dot001']) {
    assert.deepEqual(await lookupPatient(source, id, PRODUCTION, { signal: NO_DEADLINE }), { patient: null }, id);
  }
  const ours = await lookupPatient(source, 'our001', PRODUCTION, { signal: NO_DEADLINE });
  assert.equal(ours.patient?.localIdentifier, 'SRV002', 'an absolute link under baseUrl is followed');
  assert.ok(!server.requests.some((r) => r.includes('/elsewhere')));
});

test("more matches than one page (a next link) is ambiguous_match, never the first page's pick", async (t) => {
  const { source, server } = await setup(t);
  // Ten retired records fill the page; the live one is on the next page.
  for (let i = 0; i < 10; i++) {
    await server.create<FhirPatient>({
      resourceType: 'Patient',
      active: false,
      identifier: [{ system: LOCAL, value: 'PAG001' }],
      name: [{ given: ['Retired'], family: `Record${i}` }],
      birthDate: '1980-01-01',
      gender: 'female',
    });
  }
  await server.create<FhirPatient>({
    resourceType: 'Patient',
    identifier: [{ system: LOCAL, value: 'PAG001' }],
    name: [{ given: ['Live'], family: 'Record' }],
    birthDate: '1980-01-01',
    gender: 'female',
  });
  const failure = await rpcFailure(lookupPatient(source, 'pag001', PRODUCTION, { signal: NO_DEADLINE }));
  assert.equal(failure.reason, 'ambiguous_match');
});

test('bad records and several patients fail with the reason, naming the field and never the value', async (t) => {
  const { source, logger } = await setup(t);
  const partial = await rpcFailure(lookupPatient(source, 'pd001', PRODUCTION, { signal: NO_DEADLINE }));
  assert.equal(partial.reason, 'invalid_source_record');
  assert.match(partial.message, /dateOfBirth/);
  const badNhs = await rpcFailure(lookupPatient(source, 'bad001', PRODUCTION, { signal: NO_DEADLINE }));
  assert.equal(badNhs.reason, 'invalid_source_record');
  assert.match(badNhs.message, /nationalIdentifier/);
  const ambiguous = await rpcFailure(lookupPatient(source, 'dup001', PRODUCTION, { signal: NO_DEADLINE }));
  assert.equal(ambiguous.reason, 'ambiguous_match');
  assertNoPersonalData(
    [partial.message, badNhs.message, ambiguous.message, ...logger.lines],
    [...PERSONAL, '1970', '9434765910'],
  );
});

test('demo environment: HTEST patients are answered, others refused with not_test_patient', async (t) => {
  const { source } = await setup(t);
  const { patient } = await lookupPatient(source, 'tst001', { environment: 'demo' }, { signal: NO_DEADLINE });
  assert.equal(patient?.isTestPatient, true);
  assert.equal(patient?.gender, 'other');
  const refused = await rpcFailure(lookupPatient(source, 'rx1001', { environment: 'demo' }, { signal: NO_DEADLINE }));
  assert.equal(refused.reason, 'not_test_patient');
});

test('bearer token from a file over HTTPS with the configured CA; a refused credential is source_unavailable', async (t) => {
  const pki = await testPki();
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'ca.pem'), pki.caCert);
  writeFileSync(path.join(dir, 'fhir-token.txt'), 'fhir-secret-token\n');
  const { server, source } = await setup(
    t,
    { tls: { cert: pki.serverCert, key: pki.serverKey }, authorization: 'Bearer fhir-secret-token' },
    { caFile: path.join(dir, 'ca.pem'), auth: { type: 'bearer', token: { file: path.join(dir, 'fhir-token.txt') } } },
  );
  assert.match(server.baseUrl, /^https:/);
  const { patient } = await lookupPatient(source, 'rx1001', PRODUCTION, { signal: NO_DEADLINE });
  assert.equal(patient?.localIdentifier, 'RX1001');
  assert.equal(await source.ping({ signal: NO_DEADLINE }), true);

  writeFileSync(path.join(dir, 'fhir-token.txt'), 'wrong-token');
  const wrong = new FhirPatientSource(
    {
      type: 'fhir',
      baseUrl: server.baseUrl,
      identifierSystems: { local: LOCAL },
      caFile: path.join(dir, 'ca.pem'),
      auth: { type: 'bearer', token: { file: path.join(dir, 'fhir-token.txt') } },
    },
    dir,
  );
  t.after(() => wrong.close());
  const refused = await rpcFailure(lookupPatient(wrong, 'rx1001', PRODUCTION, { signal: NO_DEADLINE }));
  assert.equal(refused.reason, 'source_unavailable');
  assert.match(refused.message, /credentials/);
});

test('OAuth2 client credentials: one token request serves many lookups; a 401 fetches a new token once', async (t) => {
  let issued = 0;
  const tokenRequests: string[] = [];
  const tokenServer = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      tokenRequests.push(`${req.headers.authorization} ${body}`);
      issued++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `token-${issued}`, token_type: 'Bearer', expires_in: 3600 }));
    });
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => tokenServer.close(() => resolve())));
  const tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
  let accepted = 'Bearer token-1';
  process.env.CC_TEST_FHIR_CLIENT_SECRET = 's3cret';
  t.after(() => {
    delete process.env.CC_TEST_FHIR_CLIENT_SECRET;
  });
  const { source } = await setup(
    t,
    { authorization: (value) => value === accepted },
    {
      auth: {
        type: 'oauth2',
        tokenUrl,
        clientId: 'connector',
        clientSecret: { env: 'CC_TEST_FHIR_CLIENT_SECRET' },
        scope: 'system/Patient.read',
      },
    },
  );
  await Promise.all(
    ['rx1001', 'tst001', '555123'].map((id) => lookupPatient(source, id, PRODUCTION, { signal: NO_DEADLINE })),
  );
  assert.equal(issued, 1, 'concurrent lookups share one token request');
  assert.equal(
    tokenRequests[0],
    `Basic ${Buffer.from('connector:s3cret').toString('base64')} grant_type=client_credentials&scope=system%2FPatient.read`,
  );
  accepted = 'Bearer token-2'; // the server revoked token-1
  const { patient } = await lookupPatient(source, 'rx1001', PRODUCTION, { signal: NO_DEADLINE });
  assert.equal(patient?.localIdentifier, 'RX1001');
  assert.equal(issued, 2);
});

test('unreachable server → source_unavailable well within the deadline; 500 → source_unavailable', async (t) => {
  const port = await closedPort();
  const logger = capturingLogger();
  const source = new FhirPatientSource(
    { type: 'fhir', baseUrl: `http://127.0.0.1:${port}/fhir`, identifierSystems: { local: LOCAL } },
    '.',
    logger,
  );
  t.after(() => source.close());
  const started = performance.now();
  const failure = await rpcFailure(lookupPatient(source, 'rx1001', PRODUCTION, { signal: deadline(10_000) }));
  assert.equal(failure.reason, 'source_unavailable');
  // Before the 10 s deadline is all this guards (after it the reason would be source_timeout); no
  // tighter bound, as a busy machine may take seconds to refuse a connection.
  assert.ok(performance.now() - started < 10_000);
  assert.equal(await source.ping({ signal: NO_DEADLINE }).catch(() => false), false);
  assert.match(logger.lines.join('\n'), /ECONNREFUSED/);
  assertNoPersonalData(logger.lines, ['rx1001']);

  const { source: failing, server } = await setup(t);
  server.failStatus = 500;
  assert.equal(
    (await rpcFailure(lookupPatient(failing, 'rx1001', PRODUCTION, { signal: NO_DEADLINE }))).reason,
    'source_unavailable',
  );
});

test('slow server → source_timeout at the deadline, and cancel closes the request', async (t) => {
  const { source, server, logger } = await setup(t);
  server.delayMs = 3_000;
  const started = performance.now();
  const slow = await rpcFailure(lookupPatient(source, 'rx1001', PRODUCTION, { signal: deadline(300) }));
  assert.equal(slow.reason, 'source_timeout');
  // The server answers after 3 s: answered at the deadline, not when it did.
  assert.ok(performance.now() - started < 3_000);

  const call = cancellable();
  const pending = lookupPatient(source, 'rx1001', PRODUCTION, { signal: call.signal });
  await waitFor(() => server.requests.length >= 2);
  call.cancel();
  assert.equal((await rpcFailure(pending)).reason, 'cancelled');
  // The server sees both requests abandoned: the connector closed their sockets.
  await waitFor(() => server.abandoned >= 2);
  assertNoPersonalData(logger.lines, PERSONAL);
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
