// consentStore type fhir: a transaction (Binary + DocumentReference) into a real FHIR server,
// idempotent by masterIdentifier.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { Binary, Bundle, DocumentReference, Patient } from '@medplum/fhirtypes';
import { storeConsent } from '../../src/main/integrations/consent-pipeline.js';
import { FhirConsentStore } from '../../src/main/integrations/fhir/fhir-consent-store.js';
import { assertNoPersonalData, capturingLogger, rpcFailure } from './helpers/capture.js';
import { CONSENT_PERSONAL, consentParams, TINY_PDF } from './helpers/consent-params.js';
import { startFhirServer } from './helpers/fhir-server.js';
import { closedPort } from './helpers/ports.js';
import { cancellable, deadline, NO_DEADLINE } from './helpers/signals.js';

const LOCAL = 'https://fhir.example-trust.nhs.uk/Id/hospital-number';

test('files the PDF as Binary + DocumentReference in one transaction; the same documentId again is a duplicate', async (t) => {
  const server = await startFhirServer(t);
  const patient = await server.create<Patient>({
    resourceType: 'Patient',
    identifier: [{ system: LOCAL, value: 'RX1001' }],
    name: [{ family: 'McDonald', given: ['Mary'] }],
  });
  const logger = capturingLogger();
  const store = new FhirConsentStore(
    { type: 'fhir', baseUrl: server.baseUrl, identifierSystems: { local: LOCAL } },
    '.',
    logger,
  );
  t.after(() => store.close());
  const params = consentParams();
  const first = await storeConsent(store, params, { signal: NO_DEADLINE });
  assert.equal(first.duplicate, false);
  assert.match(first.location, /^DocumentReference\/[\w-]+$/);

  const reference = await server.repo.readResource<DocumentReference>(
    'DocumentReference',
    first.location.split('/')[1] as string,
  );
  assert.deepEqual(reference.masterIdentifier, { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${params.documentId}` });
  assert.equal(reference.subject?.reference, `Patient/${patient.id}`);
  assert.equal(reference.type?.coding?.[0]?.code, '59284-0');
  assert.equal(reference.date, params.document.consentedAt);
  const attachment = reference.content[0]?.attachment;
  assert.match(attachment?.url ?? '', /^Binary\/[\w-]+$/);
  const binary = await server.repo.readResource<Binary>('Binary', (attachment?.url ?? '').split('/')[1] as string);
  assert.deepEqual(Buffer.from(binary.data ?? '', 'base64'), TINY_PDF);

  const binariesBefore = (await server.repo.search({ resourceType: 'Binary' })).entry?.length;
  const again = await storeConsent(store, params, { signal: NO_DEADLINE });
  assert.deepEqual(again, { stored: true, location: first.location, duplicate: true });
  assert.equal(
    (await server.repo.search({ resourceType: 'Binary' })).entry?.length,
    binariesBefore,
    'no orphan Binary',
  );
  assert.equal((await server.repo.search({ resourceType: 'DocumentReference' })).entry?.length, 1);
  assertNoPersonalData(logger.lines, CONSENT_PERSONAL);
});

test('an unknown patient gets a logical subject reference by identifier', async (t) => {
  const server = await startFhirServer(t);
  const store = new FhirConsentStore(
    { type: 'fhir', baseUrl: server.baseUrl, identifierSystems: { local: LOCAL } },
    '.',
  );
  t.after(() => store.close());
  const result = await storeConsent(store, consentParams(), { signal: NO_DEADLINE });
  const reference = await server.repo.readResource<DocumentReference>(
    'DocumentReference',
    result.location.split('/')[1] as string,
  );
  assert.deepEqual(reference.subject, { identifier: { system: LOCAL, value: 'RX1001' } });
});

test('the subject is the one current record with the identifier: never inactive, a merged one is its survivor', async (t) => {
  const server = await startFhirServer(t);
  const store = new FhirConsentStore(
    { type: 'fhir', baseUrl: server.baseUrl, identifierSystems: { local: LOCAL } },
    '.',
  );
  t.after(() => store.close());
  const subjectFor = async (localIdentifier: string) => {
    const base = consentParams();
    const result = await storeConsent(store, consentParams({ patient: { ...base.patient, localIdentifier } }), {
      signal: NO_DEADLINE,
    });
    const reference = await server.repo.readResource<DocumentReference>(
      'DocumentReference',
      result.location.split('/')[1] as string,
    );
    return reference.subject;
  };
  await server.create<Patient>({
    resourceType: 'Patient',
    active: false,
    identifier: [{ system: LOCAL, value: 'INA001' }],
  });
  assert.deepEqual(await subjectFor('INA001'), { identifier: { system: LOCAL, value: 'INA001' } });

  const survivor = await server.create<Patient>({
    resourceType: 'Patient',
    identifier: [{ system: LOCAL, value: 'MRG002' }],
  });
  await server.create<Patient>({
    resourceType: 'Patient',
    active: false,
    identifier: [{ system: LOCAL, value: 'MRG001' }],
    link: [{ type: 'replaced-by', other: { reference: `Patient/${survivor.id}` } }],
  });
  assert.equal((await subjectFor('MRG001'))?.reference, `Patient/${survivor.id}`);
  // Merged into a record on another server: no record here is that patient.
  await server.create<Patient>({
    resourceType: 'Patient',
    identifier: [{ system: LOCAL, value: 'ELS001' }],
    link: [{ type: 'replaced-by', other: { reference: `https://other.example/fhir/Patient/${survivor.id}` } }],
  });
  assert.deepEqual(await subjectFor('ELS001'), { identifier: { system: LOCAL, value: 'ELS001' } });

  // A ',' in the value is a token OR unless escaped: `RX9,SOMEONE` must not find SOMEONE.
  await server.create<Patient>({ resourceType: 'Patient', identifier: [{ system: LOCAL, value: 'SOMEONE' }] });
  assert.deepEqual(await subjectFor('RX9,SOMEONE'), { identifier: { system: LOCAL, value: 'RX9,SOMEONE' } });
  // The same value under another system is somebody else's number.
  await server.create<Patient>({ resourceType: 'Patient', identifier: [{ system: 'urn:other', value: 'OTH001' }] });
  assert.deepEqual(await subjectFor('OTH001'), { identifier: { system: LOCAL, value: 'OTH001' } });
});

test('the same documentId twice at once: one transaction, one Binary, both answered with the same location', async (t) => {
  const server = await startFhirServer(t);
  // Slow enough that both calls would search, miss and POST if nothing held the second back.
  server.delayMs = 50;
  const store = new FhirConsentStore(
    { type: 'fhir', baseUrl: server.baseUrl, identifierSystems: { local: LOCAL } },
    '.',
  );
  t.after(() => store.close());
  const params = consentParams();
  const [a, b] = await Promise.all([
    storeConsent(store, params, { signal: NO_DEADLINE }),
    storeConsent(store, params, { signal: NO_DEADLINE }),
  ]);
  assert.equal(a.location, b.location);
  assert.deepEqual([a.duplicate, b.duplicate].sort(), [false, true]);
  assert.equal(server.requests.filter((r) => r.startsWith('POST ')).length, 1, 'one transaction');
  assert.equal((await server.repo.search({ resourceType: 'Binary' })).entry?.length, 1, 'no orphan Binary');
  assert.equal((await server.repo.search({ resourceType: 'DocumentReference' })).entry?.length, 1);
});

test('a transaction response without entry status still answers where the document is', async (t) => {
  // A server that leaves out the required Bundle.entry.response.status.
  const empty: Bundle = { resourceType: 'Bundle', type: 'searchset', entry: [] };
  const server = http.createServer(async (req, res) => {
    for await (const _ of req);
    const answer: Bundle =
      req.method === 'POST'
        ? {
            resourceType: 'Bundle',
            type: 'transaction-response',
            entry: [
              { response: { status: '201 Created', location: 'Binary/b1' } },
              { response: { location: 'DocumentReference/d1/_history/1' } as never },
            ],
          }
        : empty;
    res.writeHead(200, { 'content-type': 'application/fhir+json' });
    res.end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const store = new FhirConsentStore(
    {
      type: 'fhir',
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`,
      identifierSystems: { local: LOCAL },
    },
    '.',
  );
  t.after(() => store.close());
  const result = await storeConsent(store, consentParams(), { signal: NO_DEADLINE });
  assert.equal(result.location, 'DocumentReference/d1');
  assert.equal(result.stored, true);
});

test('unreachable → source_unavailable; slow → source_timeout; cancel closes the request', async (t) => {
  const down = new FhirConsentStore(
    { type: 'fhir', baseUrl: `http://127.0.0.1:${await closedPort()}/fhir`, identifierSystems: { local: LOCAL } },
    '.',
  );
  t.after(() => down.close());
  const started = performance.now();
  assert.equal(
    (await rpcFailure(storeConsent(down, consentParams(), { signal: deadline(10_000) }))).reason,
    'source_unavailable',
  );
  // Before the 10 s deadline is all this guards (after it the reason would be source_timeout); no
  // tighter bound, as a busy machine may take seconds to refuse a connection.
  assert.ok(performance.now() - started < 10_000);

  const server = await startFhirServer(t);
  server.delayMs = 3_000;
  const store = new FhirConsentStore(
    { type: 'fhir', baseUrl: server.baseUrl, identifierSystems: { local: LOCAL } },
    '.',
  );
  t.after(() => store.close());
  assert.equal(
    (await rpcFailure(storeConsent(store, consentParams(), { signal: deadline(300) }))).reason,
    'source_timeout',
  );
  const call = cancellable();
  const pending = storeConsent(store, consentParams(), { signal: call.signal });
  while (server.requests.length < 2) await new Promise((r) => setTimeout(r, 10));
  call.cancel();
  assert.equal((await rpcFailure(pending)).reason, 'cancelled');
  const until = Date.now() + 5_000;
  while (server.abandoned < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  assert.equal(server.abandoned, 2);
  server.delayMs = 0;
  assert.equal((await server.repo.search({ resourceType: 'DocumentReference' })).entry?.length ?? 0, 0);
});
