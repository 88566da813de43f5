// PROTOCOL §1 as revised: messages up to 40 MiB by default on both sides, so that the largest
// document §7 allows (a 25 MiB PDF, 33.4 MiB once base64-encoded) is filed instead of closing the
// connection with 1009 as the old 32 MiB limit did.
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { MAX_PDF_BYTES } from '../../src/shared/protocol/index.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

test('a 25 MiB consent PDF goes through the hub to the connector and is filed, with the default limits', async (t) => {
  const fx = await startTestHub(t);
  const folder = tempDir(t);
  const runtime = startTestConnector(
    t,
    { environment: 'demo', platformUrl: fx.hub.wsUrl, consentStore: { type: 'folder', path: folder } },
    fx.mint(),
  );
  await waitForState(runtime.connector, 'connected');
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(MAX_PDF_BYTES - 9)]);
  const params = {
    documentId: randomUUID(),
    episodeId: 'ep-1',
    fileName: 'consent-large.pdf',
    contentType: 'application/pdf',
    dataBase64: pdf.toString('base64'),
    sha256: createHash('sha256').update(pdf).digest('hex'),
    patient: {
      localIdentifier: 'T100',
      nationalIdentifier: null,
      familyName: 'Test',
      firstName: 'Large',
      dateOfBirth: '2000-01-01',
    },
    document: {
      title: 'Consent',
      procedure: 'Test',
      side: null,
      consentedAt: '2024-05-01T09:30:00+01:00',
      confirmedAt: null,
      responsibleClinician: 'Dr Test',
      episodeHash: 'h',
    },
  };
  const res = await fx.call('consent.store', params);
  assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
  assert.equal(res.body.result.stored, true);
  const filed = readFileSync(path.resolve(folder, res.body.result.location));
  assert.equal(filed.length, MAX_PDF_BYTES);
  assert.equal(runtime.connector.status().state, 'connected', 'no 1009: the connection is still up');
});
