// MLLP over TLS: the receiver's certificate is verified against tls.caFile (relative to the config
// folder); an untrusted certificate is source_unavailable naming the setting, never a value.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Hl7PatientSource } from '../../../src/main/integrations/hl7/hl7-source.js';
import { lookupPatient } from '../../../src/main/integrations/lookup-pipeline.js';
import { type Hl7LookupConfig, hl7LookupConfigSchema } from '../../../src/shared/config/hl7-sources.js';
import { RpcError } from '../../../src/shared/protocol/index.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { testPki } from '../../helpers/tls.js';
import { startMedplumPeer } from './hl7-peer.js';
import { pdqSupplier } from './pdq-fixtures.js';

function config(port: number, host: string, tls: Hl7LookupConfig['tls']): Hl7LookupConfig {
  return hl7LookupConfigSchema.parse({
    type: 'hl7',
    host,
    port,
    tls,
    sendingApplication: 'CLOUDCONNECTOR',
    receivingApplication: 'PAS',
    localAuthority: 'RX1',
    match: ['local'],
  });
}

test('MLLP over TLS with the receiver’s CA from tls.caFile', async (t) => {
  const pki = await testPki();
  const peer = await startMedplumPeer(t, pdqSupplier(), { tls: { cert: pki.serverCert, key: pki.serverKey } });
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'pas-ca.pem'), pki.caCert);
  for (const host of ['localhost', '127.0.0.1']) {
    const s = new Hl7PatientSource(config(peer.port, host, { caFile: 'pas-ca.pem' }), dir);
    t.after(() => s.close());
    const result = await lookupPatient(
      s,
      'RX12345',
      { environment: 'production' },
      { signal: AbortSignal.timeout(5_000) },
    );
    assert.equal(result.patient?.familyName, 'SMITH');
  }
});

test('an untrusted receiver certificate is source_unavailable and nothing is sent', async (t) => {
  const pki = await testPki();
  const peer = await startMedplumPeer(t, pdqSupplier(), { tls: { cert: pki.serverCert, key: pki.serverKey } });
  const s = new Hl7PatientSource(config(peer.port, 'localhost', {}), process.cwd());
  t.after(() => s.close());
  await assert.rejects(
    lookupPatient(s, 'RX12345', { environment: 'production' }, { signal: AbortSignal.timeout(5_000) }),
    (error: unknown) =>
      error instanceof RpcError && error.reason === 'source_unavailable' && /tls\.caFile/.test(error.message),
  );
  assert.equal(peer.received.length, 0);
});

test('certFile without keyFile is a config error', () => {
  const parsed = hl7LookupConfigSchema.safeParse({
    type: 'hl7',
    host: 'pas.example',
    port: 2575,
    tls: { certFile: 'client.pem' },
    sendingApplication: 'CC',
    receivingApplication: 'PAS',
    localAuthority: 'RX1',
  });
  assert.equal(parsed.success, false);
});
