// patientLookup type http against a local JSON API that answers, says not found, is slow,
// fails with 500, or sends malformed answers.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import type { z } from 'zod';
import { HttpPatientSource } from '../../src/main/integrations/http/http-patient-source.js';
import { type LookupPolicy, lookupPatient } from '../../src/main/integrations/lookup-pipeline.js';
import type { httpLookupConfigSchema } from '../../src/shared/config/sources.js';
import { assertNoPersonalData, capturingLogger, rpcFailure } from './helpers/capture.js';
import { closedPort } from './helpers/ports.js';
import { cancellable, deadline, NO_DEADLINE, nhsNumber } from './helpers/signals.js';

const NHS = nhsNumber('485777345');
const PRODUCTION: LookupPolicy = { environment: 'production' };
const PERSONAL = ['k-100/7', 'K-100/7', NHS, 'Nowak', 'Zofia', '1984-04-30'];

const RECORD = {
  mrn: 'K-100/7',
  nhs: NHS,
  demographics: { prefix: 'Dr', names: ['Zofia', 'Anna'], surname: 'Nowak', born: '1984-04-30', sex: 'F' },
  contact: { 'mobile phone': '07700 900789', email: null },
  flags: { test: true },
};

function twin(mrn: string, surname: string) {
  return { ...RECORD, mrn, nhs: null, demographics: { ...RECORD.demographics, surname } };
}

interface Api {
  url: string;
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>;
  abandoned: number;
}

async function startApi(t: TestContext): Promise<Api> {
  const api: Api = { url: '', requests: [], abandoned: 0 };
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    api.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    let answered = false;
    res.on('close', () => {
      if (!answered) api.abandoned++;
    });
    const id = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    const send = (status: number, text: string) => {
      answered = true;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(text);
    };
    if (req.headers['x-api-key'] !== 'key-123') return send(403, '{"error":"forbidden"}');
    if (req.method === 'POST') {
      const parsed = JSON.parse(body) as { query: { mrn: string } };
      return send(200, JSON.stringify({ results: parsed.query.mrn === 'k-100/7' ? [RECORD] : [] }));
    }
    switch (id) {
      case '':
        // The collection endpoint (what `/patients/.` or `/patients/..` resolves to) lists everybody.
        return send(200, JSON.stringify({ patient: [RECORD] }));
      case 'k-100/7':
        return send(200, JSON.stringify({ patient: RECORD }));
      case 'twins':
        return send(200, JSON.stringify({ patient: [twin('TWINS', 'Nowak'), twin('twins', 'Kowal')] }));
      case nhsNumber('485777345'):
        // Stored with spaces, as many systems display NHS numbers.
        return send(200, JSON.stringify({ patient: { ...RECORD, nhs: NHS.replace(/^(\d{3})(\d{3})/, '$1 $2 ') } }));
      case 'loose':
        // An API that ignores or loosely matches the identifier answers somebody else.
        return send(200, JSON.stringify({ patient: [RECORD] }));
      case 'slow':
        await new Promise((r) => setTimeout(r, 3_000));
        if (!res.destroyed) send(200, '{}');
        return;
      case 'boom':
        return send(500, '{"error":"database down"}');
      case 'garbage':
        return send(200, '<html>not json</html>');
      case 'wrongshape':
        return send(
          200,
          JSON.stringify({
            patient: { ...RECORD, mrn: 'WrongShape', demographics: { ...RECORD.demographics, born: 19840430 } },
          }),
        );
      case 'gone':
        return send(410, '');
      default:
        return send(404, '{"error":"no such patient"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return api;
}

type Config = z.infer<typeof httpLookupConfigSchema>;
const FIELDS: Config['fields'] = {
  title: '$.demographics.prefix',
  firstName: '$.demographics.names[0]',
  middleNames: '$.demographics.names[1]',
  familyName: '$.demographics.surname',
  dateOfBirth: '$.demographics.born',
  gender: '$.demographics.sex',
  localIdentifier: '$.mrn',
  nationalIdentifier: '$.nhs',
  mobile: "$.contact['mobile phone']",
  email: '$.contact.email',
  isTestPatient: '$.flags.test',
};

function source(t: TestContext, api: Api, extra: Partial<Config> = {}, logger = capturingLogger()) {
  const s = new HttpPatientSource(
    {
      type: 'http',
      url: `${api.url}/api/patients/{id}`,
      fields: FIELDS,
      recordsPath: '$.patient',
      headers: { 'x-api-key': 'key-123' },
      notFoundStatus: [404, 410],
      ...extra,
    },
    '.',
    logger,
  );
  t.after(() => s.close());
  return s;
}

test('maps a JSON record by paths; the identifier is URL-encoded into the URL', async (t) => {
  const api = await startApi(t);
  const logger = capturingLogger();
  const s = source(t, api, {}, logger);
  const { patient } = await lookupPatient(s, 'k-100/7', { environment: 'demo' }, { signal: NO_DEADLINE });
  assert.deepEqual(patient, {
    title: 'Dr',
    firstName: 'Zofia',
    middleNames: 'Anna',
    familyName: 'Nowak',
    dateOfBirth: '1984-04-30',
    gender: 'female',
    localIdentifier: 'K-100/7',
    nationalIdentifier: NHS,
    email: null,
    mobile: '07700 900789',
    isTestPatient: true,
  });
  assert.equal(api.requests[0]?.url, '/api/patients/k-100%2F7');
  assert.equal(api.requests[0]?.headers.accept, 'application/json');
  assertNoPersonalData(logger.lines, PERSONAL);
});

test('POST with a JSON body template and an array of records', async (t) => {
  const api = await startApi(t);
  const s = source(t, api, {
    url: `${api.url}/api/search?for={id}`,
    method: 'POST',
    body: '{"query":{"mrn":"{id}"}}',
    recordsPath: '$.results',
  });
  assert.equal((await lookupPatient(s, 'k-100/7', PRODUCTION, { signal: NO_DEADLINE })).patient?.familyName, 'Nowak');
  assert.deepEqual(await lookupPatient(s, 'nobody', PRODUCTION, { signal: NO_DEADLINE }), { patient: null });
  assert.equal(api.requests[0]?.body, '{"query":{"mrn":"k-100/7"}}');
});

test('not-found statuses are "no patient"; 500, 403, malformed and ambiguous answers fail with their reason', async (t) => {
  const api = await startApi(t);
  const logger = capturingLogger();
  const s = source(t, api, {}, logger);
  assert.deepEqual(await lookupPatient(s, 'unknown', PRODUCTION, { signal: NO_DEADLINE }), { patient: null });
  assert.deepEqual(await lookupPatient(s, 'gone', PRODUCTION, { signal: NO_DEADLINE }), { patient: null });
  const boom = await rpcFailure(lookupPatient(s, 'boom', PRODUCTION, { signal: NO_DEADLINE }));
  assert.equal(boom.reason, 'source_unavailable');
  assert.match(logger.lines.join('\n'), /status=500/);
  const garbage = await rpcFailure(lookupPatient(s, 'garbage', PRODUCTION, { signal: NO_DEADLINE }));
  assert.equal(garbage.reason, 'invalid_source_record');
  const shape = await rpcFailure(lookupPatient(s, 'wrongshape', PRODUCTION, { signal: NO_DEADLINE }));
  assert.equal(shape.reason, 'invalid_source_record');
  assert.match(shape.message, /dateOfBirth/);
  assert.equal(
    (await rpcFailure(lookupPatient(s, 'twins', PRODUCTION, { signal: NO_DEADLINE }))).reason,
    'ambiguous_match',
  );
  const noKey = source(t, api, { headers: {} });
  const refused = await rpcFailure(lookupPatient(noKey, 'k-100/7', PRODUCTION, { signal: NO_DEADLINE }));
  assert.equal(refused.reason, 'source_unavailable');
  assert.match(refused.message, /credentials/);
  assertNoPersonalData(
    [boom.message, garbage.message, shape.message, refused.message, ...logger.lines],
    [...PERSONAL, '19840430'],
  );
});

test('"." and ".." never reach the URL as path steps (the collection or parent endpoint)', async (t) => {
  const api = await startApi(t);
  const s = source(t, api);
  for (const id of ['.', '..']) {
    assert.deepEqual(await lookupPatient(s, id, PRODUCTION, { signal: NO_DEADLINE }), { patient: null }, id);
  }
  assert.deepEqual(
    api.requests.map((r) => r.url),
    [],
    'no request was sent',
  );
});

test('only records carrying the asked-for identifier are answered; NHS numbers compare without spaces', async (t) => {
  const api = await startApi(t);
  const s = source(t, api);
  assert.deepEqual(await lookupPatient(s, 'loose', PRODUCTION, { signal: NO_DEADLINE }), { patient: null });
  const byNhs = await lookupPatient(s, NHS, PRODUCTION, { signal: NO_DEADLINE });
  assert.equal(byNhs.patient?.nationalIdentifier, NHS);
  assert.equal(byNhs.patient?.localIdentifier, 'K-100/7');
});

test('unreachable → source_unavailable fast; slow → source_timeout; cancel closes the request socket', async (t) => {
  const port = await closedPort();
  const down = new HttpPatientSource({ type: 'http', url: `http://127.0.0.1:${port}/p/{id}`, fields: FIELDS }, '.');
  t.after(() => down.close());
  const started = performance.now();
  assert.equal(
    (await rpcFailure(lookupPatient(down, 'k-100/7', PRODUCTION, { signal: deadline(10_000) }))).reason,
    'source_unavailable',
  );
  // Before the 10 s deadline is all this guards (after it the reason would be source_timeout); no
  // tighter bound, as a busy machine may take seconds to refuse a connection.
  assert.ok(performance.now() - started < 10_000);

  const api = await startApi(t);
  const s = source(t, api);
  const slowStart = performance.now();
  assert.equal(
    (await rpcFailure(lookupPatient(s, 'slow', PRODUCTION, { signal: deadline(300) }))).reason,
    'source_timeout',
  );
  // The API answers after 3 s: answered at the deadline, not when it did.
  assert.ok(performance.now() - slowStart < 3_000);
  const call = cancellable();
  const pending = lookupPatient(s, 'slow', PRODUCTION, { signal: call.signal });
  while (api.requests.length < 2) await new Promise((r) => setTimeout(r, 10));
  call.cancel();
  assert.equal((await rpcFailure(pending)).reason, 'cancelled');
  const until = Date.now() + 5_000;
  while (api.abandoned < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  assert.equal(api.abandoned, 2, 'the server saw both requests abandoned');
});
