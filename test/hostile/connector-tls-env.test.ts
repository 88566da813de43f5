// With NODE_TLS_REJECT_UNAUTHORIZED=0 in the connector's environment (a leftover from someone's
// debugging, a service manager's setting), every TLS connection the connector makes must still
// verify certificates. A self-signed server impersonating the patient system, the document
// store, the OAuth2 token endpoint, the HL7 receiver, the database or the proxy is never believed:
// the call is source_unavailable, in words, and nothing reaches the impostor past the handshake.
//
// Node reads the variable on every TLS connect, so setting it here, in the process that runs the
// connector code, is the environment the connector runs in.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
// Node warns once that verification is off; the warning is expected here.
process.removeAllListeners('warning');

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import WebSocket from 'ws';
import { buildClientOptions } from '../../src/main/core/transport.js';
import { storeConsent } from '../../src/main/integrations/consent-pipeline.js';
import { lookupPatient } from '../../src/main/integrations/lookup-pipeline.js';
import { createConsentStore, createPatientLookupSource } from '../../src/main/integrations/registry.js';
import type { ConsentStore, PatientLookupSource } from '../../src/main/integrations/types.js';
import type { ConsentStoreConfig, PatientLookupConfig } from '../../src/shared/config/sources.js';
import { assertNoPersonalData, capturingLogger, rpcFailure } from '../integrations/helpers/capture.js';
import { consentParams } from '../integrations/helpers/consent-params.js';
import { NO_DEADLINE } from '../integrations/helpers/signals.js';
import {
  type Impostor,
  startHttpsImpostor,
  startHttpsProxyImpostor,
  startMssqlImpostor,
  startPostgresImpostor,
  startTlsImpostor,
} from './connector-impostor.js';

const CTX = { configDir: '.', environment: 'production' as const };
const UNTRUSTED = /certificate is not trusted/;

function source(t: TestContext, config: PatientLookupConfig, logger = capturingLogger()): PatientLookupSource {
  const s = createPatientLookupSource(config, { ...CTX, logger });
  t.after(() => s.close());
  return s;
}

function store(t: TestContext, config: ConsentStoreConfig): ConsentStore {
  const s = createConsentStore(config, { ...CTX, logger: capturingLogger() });
  t.after(() => s.close());
  return s;
}

async function refusedLookup(t: TestContext, impostor: Impostor, config: PatientLookupConfig): Promise<void> {
  assert.equal(process.env.NODE_TLS_REJECT_UNAUTHORIZED, '0');
  const logger = capturingLogger();
  const failure = await rpcFailure(
    lookupPatient(source(t, config, logger), 'imp001', { environment: 'production' }, { signal: NO_DEADLINE }),
  );
  assert.equal(failure.reason, 'source_unavailable');
  assert.match(failure.message, UNTRUSTED);
  assert.deepEqual(impostor.believed, [], 'the impostor received a request after the handshake');
  assertNoPersonalData([...logger.lines, failure.message], ['imp001', 'Impostor', '1970-01-01']);
}

async function refusedStore(impostor: Impostor, s: ConsentStore): Promise<void> {
  const failure = await rpcFailure(storeConsent(s, consentParams(), { signal: NO_DEADLINE }));
  assert.equal(failure.reason, 'source_unavailable');
  assert.match(failure.message, UNTRUSTED);
  assert.deepEqual(impostor.believed, [], 'the impostor received a document');
}

const PATIENT_FIELDS = {
  localIdentifier: '$.mrn',
  firstName: '$.given',
  familyName: '$.family',
  dateOfBirth: '$.dob',
  gender: '$.sex',
} as const;

test('FHIR patient source: a self-signed impostor is not believed', async (t) => {
  const impostor = await startHttpsImpostor(t);
  await refusedLookup(t, impostor, {
    type: 'fhir',
    baseUrl: `${impostor.origin}/R4`,
    identifierSystems: { local: 'https://trust.example/Id/mrn' },
  });
});

test('web API patient source: a self-signed impostor is not believed', async (t) => {
  const impostor = await startHttpsImpostor(t);
  await refusedLookup(t, impostor, { type: 'http', url: `${impostor.origin}/patients/{id}`, fields: PATIENT_FIELDS });
});

test('OAuth2: a self-signed token endpoint is not sent the client secret', async (t) => {
  const impostor = await startHttpsImpostor(t);
  // The patient system itself is plain HTTP on loopback and would answer; the token request must fail first.
  const pas = http.createServer((_req, res) => res.writeHead(500).end());
  await new Promise<void>((resolve) => pas.listen(0, '127.0.0.1', resolve));
  t.after(() => pas.close());
  process.env.TLS_TEST_CLIENT_SECRET = 'client-secret-value';
  await refusedLookup(t, impostor, {
    type: 'http',
    url: `http://127.0.0.1:${(pas.address() as AddressInfo).port}/patients/{id}`,
    fields: PATIENT_FIELDS,
    auth: {
      type: 'oauth2',
      tokenUrl: `${impostor.origin}/oauth2/token`,
      clientId: 'cloud-connector',
      clientSecret: { env: 'TLS_TEST_CLIENT_SECRET' },
    },
  });
});

test('FHIR document store: a self-signed impostor is not sent the document', async (t) => {
  const impostor = await startHttpsImpostor(t);
  await refusedStore(
    impostor,
    store(t, {
      type: 'fhir',
      baseUrl: `${impostor.origin}/R4`,
      identifierSystems: { local: 'https://trust.example/Id/mrn' },
    }),
  );
});

test('web API document store: a self-signed impostor is not sent the document', async (t) => {
  const impostor = await startHttpsImpostor(t);
  await refusedStore(impostor, store(t, { type: 'http', url: `${impostor.origin}/api/consents` }));
});

const HL7_FIELDS = {
  type: 'hl7',
  host: '127.0.0.1',
  tls: {},
  sendingApplication: 'CLOUDCONNECTOR',
  receivingApplication: 'PAS',
  localAuthority: 'RX1',
} as const;

test('HL7 over TLS: a self-signed receiver is sent neither query nor document', async (t) => {
  const impostor = await startTlsImpostor(t);
  await refusedLookup(t, impostor, { ...HL7_FIELDS, port: impostor.port });
  await refusedStore(impostor, store(t, { ...HL7_FIELDS, port: impostor.port }));
});

test('PostgreSQL with ssl: a self-signed server is sent neither user name nor password', async (t) => {
  const impostor = await startPostgresImpostor(t);
  process.env.TLS_TEST_DB_PASSWORD = 'db-password-value';
  await refusedLookup(t, impostor, {
    type: 'sql',
    driver: 'postgres',
    connection: {
      host: '127.0.0.1',
      port: impostor.port,
      database: 'pas',
      user: 'connector_ro',
      password: { env: 'TLS_TEST_DB_PASSWORD' },
      ssl: true,
    },
    query: 'SELECT * FROM patient WHERE id = :id',
    columns: {
      localIdentifier: 'id',
      firstName: 'first',
      familyName: 'family',
      dateOfBirth: 'dob',
      gender: 'sex',
    },
  });
});

test('SQL Server with encryption: a self-signed server is sent no login', async (t) => {
  const impostor = await startMssqlImpostor(t);
  process.env.TLS_TEST_DB_PASSWORD = 'db-password-value';
  const config = (trustServerCertificate: boolean): PatientLookupConfig => ({
    type: 'sql',
    driver: 'mssql',
    connection: {
      server: '127.0.0.1',
      port: impostor.port,
      database: 'pas',
      user: 'connector_ro',
      password: { env: 'TLS_TEST_DB_PASSWORD' },
      encrypt: true,
      trustServerCertificate,
      connectTimeoutMs: 1_000,
    },
    query: 'SELECT * FROM patient WHERE id = :id',
    columns: { localIdentifier: 'id', firstName: 'first', familyName: 'family', dateOfBirth: 'dob', gender: 'sex' },
  });
  await refusedLookup(t, impostor, config(false));
  // The impostor is convincing: told to trust any certificate, the driver does send it the login.
  await rpcFailure(
    lookupPatient(source(t, config(true)), 'imp001', { environment: 'production' }, { signal: NO_DEADLINE }),
  );
  assert.notDeepEqual(impostor.believed, [], 'with trustServerCertificate the login reaches the impostor');
});

test('platform through an HTTPS proxy: a self-signed proxy is not sent the CONNECT or its password', async (t) => {
  const proxy = await startHttpsProxyImpostor(t);
  const proxyUrl = `https://clinic:proxy-password@127.0.0.1:${proxy.port}`;
  const options = buildClientOptions({
    platformUrl: 'wss://platform.test/connector/v1',
    proxy: proxyUrl,
    maxMessageBytes: 1024,
    handshakeTimeoutMs: 5_000,
  });
  const ws = new WebSocket('wss://platform.test/connector/v1', ['connector.v1'], options);
  const error = await new Promise<Error & { code?: string }>((resolve) => {
    ws.on('error', resolve);
    ws.on('open', () => resolve(new Error('opened')));
  });
  ws.terminate();
  assert.match(`${error.code} ${error.message}`, /SELF_SIGNED|CERT|verify/i);
  assert.deepEqual(proxy.believed, [], 'the impostor proxy was sent a CONNECT');
});
