// The whole path: reference hub → connector (the runtime the CLI uses, config from a file) → HL7
// receiver over MLLP, for patient.lookup and consent.store. Every log line and every answer is
// scanned for the patient's data.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Hl7Message } from '@medplum/core';
import { captureLogger } from '../../helpers/capture-logger.js';
import { startTestConnector, waitForState } from '../../helpers/connector-fixture.js';
import { startTestHub } from '../../helpers/hub-fixture.js';
import { startMedplumPeer } from './hl7-peer.js';
import { assertNoPersonalData, pdqSupplier } from './pdq-fixtures.js';

test('patient.lookup and consent.store through the hub to an HL7 receiver; no patient data in logs', async (t) => {
  let mdmAck = 'AE';
  const peer = await startMedplumPeer(t, (m: Hl7Message) => {
    const type = m.getSegment('MSH')?.getField(9)?.getComponent(1);
    if (type === 'QBP') return pdqSupplier()(m);
    const id = m.getSegment('MSH')?.getField(10)?.toString();
    return `MSH|^~\\&|EDMS|RX1|CC|CLINIC|20240501120000||ACK^T02^ACK|A1|P|2.5\rMSA|${mdmAck}|${id}|Cannot file for SMITH JOHN`;
  });
  const hl7 = {
    type: 'hl7',
    host: '127.0.0.1',
    port: peer.port,
    sendingApplication: 'CLOUDCONNECTOR',
    receivingApplication: 'PAS',
    localAuthority: 'RX1',
  };
  const fx = await startTestHub(t);
  const logger = captureLogger();
  const runtime = startTestConnector(
    t,
    {
      environment: 'production',
      platformUrl: fx.hub.wsUrl,
      patientLookup: hl7,
      consentStore: { ...hl7, receivingApplication: 'EDMS' },
    },
    fx.mint('production'),
    { logger },
  );
  await waitForState(runtime.connector, 'connected');

  const found = await fx.call('patient.lookup', { identificationNumber: 'RX 12345' }, 'production');
  assert.equal(found.status, 200, JSON.stringify(found.body));
  assert.equal(found.body.result?.patient?.familyName, 'SMITH');
  assert.equal(found.body.result?.patient?.nationalIdentifier, '9434765919');

  const ambiguous = await fx.call('patient.lookup', { identificationNumber: '9434766052' }, 'production');
  assert.equal(JSON.stringify(ambiguous.body).includes('ambiguous_match'), true, JSON.stringify(ambiguous.body));

  const bytes = Buffer.from('%PDF-1.7\nconsent form\n%%EOF\n');
  const params = {
    documentId: randomUUID(),
    episodeId: 'EP-1',
    fileName: 'consent.pdf',
    contentType: 'application/pdf',
    dataBase64: bytes.toString('base64'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    patient: {
      localIdentifier: 'RX12345',
      nationalIdentifier: '9434765919',
      familyName: 'SMITH',
      firstName: 'JOHN',
      dateOfBirth: '1970-01-01',
    },
    document: {
      title: 'Consent',
      procedure: 'Knee',
      side: null,
      consentedAt: '2024-05-01T10:15:00+01:00',
      confirmedAt: null,
      responsibleClinician: 'Dr A',
      episodeHash: 'h',
    },
  };
  const refused = await fx.call('consent.store', params, 'production');
  assert.match(JSON.stringify(refused.body), /did not accept the document \(AE/);
  mdmAck = 'AA';
  const stored = await fx.call('consent.store', params, 'production');
  assert.equal(stored.status, 200, JSON.stringify(stored.body));
  assert.deepEqual(stored.body.result, { stored: true, location: `hl7://EDMS/${params.documentId}`, duplicate: false });

  for (const body of [ambiguous.body, refused.body]) assertNoPersonalData(JSON.stringify(body));
  assert.ok(logger.lines.length > 0);
  for (const line of logger.lines) assertNoPersonalData(line, ['RX 12345']);
});
