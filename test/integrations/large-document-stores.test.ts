// The largest PDF PROTOCOL §7 allows (25 MiB) filed into the HTTP (JSON and multipart), FHIR and
// HL7 MDM stores arrives byte for byte: these stores write the PDF's base64 in pieces made from
// its bytes as the socket takes them (body-parts.ts), and a piece boundary in the wrong place
// would corrupt exactly such a document while leaving small ones intact.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import type { Binary } from '@medplum/fhirtypes';
import { storeConsent } from '../../src/main/integrations/consent-pipeline.js';
import { FhirConsentStore } from '../../src/main/integrations/fhir/fhir-consent-store.js';
import { Hl7ConsentStore } from '../../src/main/integrations/hl7/hl7-store.js';
import { HttpConsentStore } from '../../src/main/integrations/http/http-consent-store.js';
import { hl7StoreConfigSchema } from '../../src/shared/config/hl7-sources.js';
import { MAX_PDF_BYTES } from '../../src/shared/protocol/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { consentParams } from './helpers/consent-params.js';
import { startFhirServer } from './helpers/fhir-server.js';
import { deadline } from './helpers/signals.js';
import { startMedplumPeer } from './hl7/hl7-peer.js';

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(MAX_PDF_BYTES - 9)]);
const SHA = createHash('sha256').update(PDF).digest('hex');
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A web API that keeps the PDF it received, from a JSON body (base64) or a multipart one. */
async function documentApi(t: TestContext) {
  const received: Buffer[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    assert.equal(body.length, Number(req.headers['content-length']), 'the declared length is the body sent');
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('application/json')) {
      received.push(Buffer.from(JSON.parse(body.toString('utf8')).dataBase64, 'base64'));
    } else {
      const boundary = /boundary=(\S+)/.exec(type)?.[1] as string;
      const start = body.indexOf('\r\n\r\n', body.indexOf('filename=')) + 4;
      const end = body.lastIndexOf(`\r\n--${boundary}--`);
      received.push(body.subarray(start, end));
    }
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/docs`, received };
}

for (const format of ['json', 'multipart'] as const) {
  test(`a 25 MiB PDF through the HTTP store (${format}) arrives byte for byte`, async (t) => {
    const api = await documentApi(t);
    const store = new HttpConsentStore({ type: 'http', url: api.url, format }, '.');
    t.after(() => store.close());
    const result = await storeConsent(store, consentParams({}, PDF), { signal: deadline(60_000) });
    assert.equal(result.stored, true);
    assert.equal(api.received.length, 1);
    assert.equal(api.received[0]?.length, PDF.length);
    assert.equal(sha(api.received[0] as Buffer), SHA);
  });
}

test('a 25 MiB PDF through the FHIR store arrives byte for byte as a Binary', async (t) => {
  const server = await startFhirServer(t);
  const store = new FhirConsentStore(
    { type: 'fhir', baseUrl: server.baseUrl, identifierSystems: { local: 'https://fhir.example/Id/local' } },
    '.',
  );
  t.after(() => store.close());
  const result = await storeConsent(store, consentParams({}, PDF), { signal: deadline(60_000) });
  assert.equal(result.stored, true);
  const binaries = await server.repo.search<Binary>({ resourceType: 'Binary' });
  const data = binaries.entry?.map((e) => e.resource?.data ?? '') ?? [];
  assert.equal(data.length, 1);
  assert.equal(sha(Buffer.from(data[0] as string, 'base64')), SHA);
});

test('a 25 MiB PDF through the HL7 store arrives byte for byte in OBX-5', async (t) => {
  const received: string[] = [];
  const peer = await startMedplumPeer(t, (message) => {
    received.push(message.getSegment('OBX')?.getField(5)?.getComponent(5) ?? '');
    return message.buildAck({ ackCode: 'AA' });
  });
  const store = new Hl7ConsentStore(
    hl7StoreConfigSchema.parse({
      type: 'hl7',
      host: '127.0.0.1',
      port: peer.port,
      sendingApplication: 'CLOUDCONNECTOR',
      sendingFacility: 'CLINIC',
      receivingApplication: 'EDMS',
      receivingFacility: 'RX1',
      localAuthority: 'RX1',
    }),
    { configDir: process.cwd(), dataDir: tempDir(t) },
  );
  t.after(() => store.close());
  const result = await storeConsent(store, consentParams({}, PDF), { signal: deadline(60_000) });
  assert.equal(result.stored, true);
  assert.equal(received.length, 1);
  assert.equal(sha(Buffer.from(received[0] as string, 'base64')), SHA);
});
