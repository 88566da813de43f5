// consentStore type http: POST to a local document API as JSON or multipart, with the
// documentId as the idempotency key.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import { storeConsent } from '../../src/main/integrations/consent-pipeline.js';
import { HttpConsentStore } from '../../src/main/integrations/http/http-consent-store.js';
import { assertNoPersonalData, capturingLogger, rpcFailure } from './helpers/capture.js';
import { CONSENT_PERSONAL, consentParams, TINY_PDF } from './helpers/consent-params.js';
import { closedPort } from './helpers/ports.js';
import { deadline, NO_DEADLINE } from './helpers/signals.js';

interface DocApi {
  url: string;
  stored: Map<string, { pdf: Buffer; metadata: Record<string, unknown> }>;
  delayMs: number;
  failStatus: number | null;
}

async function startDocApi(t: TestContext): Promise<DocApi> {
  const api: DocApi = { url: '', stored: new Map(), delayMs: 0, failStatus: null };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (api.delayMs) await new Promise((r) => setTimeout(r, api.delayMs));
    if (res.destroyed) return;
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (api.failStatus) return json(api.failStatus, { error: 'unavailable' });
    const key = String(req.headers['idempotency-key'] ?? '');
    const previous = api.stored.get(key);
    if (previous) return json(409, { documentRef: `docs/${key}` });
    let pdf: Buffer;
    let metadata: Record<string, unknown>;
    const type = String(req.headers['content-type']);
    if (type.startsWith('multipart/form-data')) {
      const form = await new Response(body, { headers: { 'content-type': type } }).formData();
      metadata = JSON.parse(String(form.get('metadata')));
      const file = form.get('file') as File;
      assert.equal(file.name, 'consent-knee.pdf');
      pdf = Buffer.from(await file.arrayBuffer());
    } else {
      const parsed = JSON.parse(body.toString('utf8'));
      pdf = Buffer.from(parsed.dataBase64, 'base64');
      metadata = parsed;
    }
    api.stored.set(key, { pdf, metadata });
    json(201, { documentRef: `docs/${key}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/consents`;
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return api;
}

for (const format of ['json', 'multipart'] as const) {
  test(`${format}: stores the PDF with metadata; a repeat is a duplicate at the same location`, async (t) => {
    const api = await startDocApi(t);
    const logger = capturingLogger();
    const store = new HttpConsentStore(
      { type: 'http', url: api.url, format, locationPath: '$.documentRef' },
      '.',
      logger,
    );
    t.after(() => store.close());
    const params = consentParams();
    const first = await storeConsent(store, params, { signal: NO_DEADLINE });
    assert.deepEqual(first, { stored: true, location: `docs/${params.documentId}`, duplicate: false });
    const saved = api.stored.get(params.documentId);
    assert.deepEqual(saved?.pdf, TINY_PDF);
    assert.equal(saved?.metadata.sha256, params.sha256);
    assert.deepEqual(saved?.metadata.patient, params.patient);
    const again = await storeConsent(store, params, { signal: NO_DEADLINE });
    assert.deepEqual(again, { stored: true, location: first.location, duplicate: true });
    assert.equal(api.stored.size, 1);
    assertNoPersonalData(logger.lines, CONSENT_PERSONAL);
  });
}

test('500 and unreachable → source_unavailable; slow → source_timeout', async (t) => {
  const api = await startDocApi(t);
  const store = new HttpConsentStore({ type: 'http', url: api.url }, '.');
  t.after(() => store.close());
  api.failStatus = 500;
  assert.equal(
    (await rpcFailure(storeConsent(store, consentParams(), { signal: NO_DEADLINE }))).reason,
    'source_unavailable',
  );
  api.failStatus = null;
  api.delayMs = 3_000;
  const started = performance.now();
  assert.equal(
    (await rpcFailure(storeConsent(store, consentParams(), { signal: deadline(300) }))).reason,
    'source_timeout',
  );
  // The API answers after 3 s: answered at the deadline, not when it did.
  assert.ok(performance.now() - started < 3_000);
  const down = new HttpConsentStore({ type: 'http', url: `http://127.0.0.1:${await closedPort()}/x` }, '.');
  t.after(() => down.close());
  assert.equal(
    (await rpcFailure(storeConsent(down, consentParams(), { signal: deadline(10_000) }))).reason,
    'source_unavailable',
  );
});
