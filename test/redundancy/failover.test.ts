// Two connectors behind one hub, as real processes, under a steady stream of calls: a graceful
// stop and a kill -9 in the middle of calls must each cost zero failed calls.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { consentParams, folderStoreAvailable, syntheticPdf } from '../../bench/lib/consent.js';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { sampleValue } from '../helpers/prometheus-text.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startCluster } from './cluster.js';
import { describeFailures, startLoad } from './load.js';

const directory = demoDirectory();
const ids = Array.from({ length: 200 }, (_, i) => directory.at(i).localIdentifier);
const lookups = (n: number) => ({ method: 'patient.lookup', params: { identificationNumber: ids[n % ids.length] } });

function assertAllAnswered(records: Array<{ status: number | null }>, what: string): void {
  const failed = records.filter((r) => r.status !== 200);
  assert.equal(
    failed.length,
    0,
    `${what}: ${failed.length} of ${records.length} calls failed:\n${describeFailures(records as never)}`,
  );
}

test('graceful stop of one of two connectors under load: zero failed calls', async (t) => {
  const cluster = await startCluster(t, tempDir(t), {
    connectorConfig: { patientLookup: { type: 'demo', latencyMs: 40 } },
  });
  const [a] = await Promise.all([cluster.startConnector('host-a'), cluster.startConnector('host-b')]);
  await cluster.waitForHubConnectors(['host-a', 'host-b']);
  const load = startLoad({ httpUrl: cluster.hub.httpUrl, apiKey: cluster.hub.apiKey, concurrency: 6, next: lookups });
  await load.waitForCalls(60);
  await a.handle.stop();
  assert.equal((await a.handle.exited).code, 0, 'the stopped connector exits cleanly');
  assert.ok(
    a.handle.lines.some((l) => /state draining/.test(l.text)),
    'it drained first',
  );
  await load.waitForCalls(60);
  const records = await load.stop();
  assertAllAnswered(records, 'graceful stop');
  assert.ok(records.length >= 120);
});

const withFolder = folderStoreAvailable();

test('kill -9 of one of two connectors in the middle of calls: every call answered once, documents filed once', async (t) => {
  const dir = tempDir(t);
  const storeDir = path.join(dir, 'consents');
  mkdirSync(storeDir);
  const cluster = await startCluster(t, dir, {
    connectorConfig: {
      patientLookup: { type: 'demo', latencyMs: 150 },
      ...(withFolder ? { consentStore: { type: 'folder', path: storeDir } } : {}),
    },
  });
  const [a] = await Promise.all([cluster.startConnector('host-a'), cluster.startConnector('host-b')]);
  await cluster.waitForHubConnectors(['host-a', 'host-b']);

  // Every fourth call files a consent document (when this build has the folder store).
  const documents: Array<ReturnType<typeof consentParams>> = [];
  const next = (n: number) => {
    if (!withFolder || n % 4 !== 3) return lookups(n);
    const doc = consentParams(syntheticPdf(256 * 1024, n));
    documents.push(doc);
    return { method: 'consent.store', params: doc };
  };
  const load = startLoad({ httpUrl: cluster.hub.httpUrl, apiKey: cluster.hub.apiKey, concurrency: 8, next });
  await load.waitForCalls(30);
  // Kill only while the hub holds calls on host-a: they are lost with it and must be retried.
  const until = Date.now() + 10_000;
  while (!(await cluster.hubConnectors()).some((c) => c.name === 'host-a' && c.inFlight > 0)) {
    if (Date.now() > until) throw new Error('host-a never had a call in flight');
  }
  await a.handle.killHard();
  await load.waitForCalls(60);
  const records = await load.stop();
  assertAllAnswered(records, 'kill -9');
  const metrics = await cluster.hubMetrics();
  assert.ok(
    sampleValue(metrics, 'cc_hub_retries_total', 'method="patient.lookup",reason="dropped"') +
      sampleValue(metrics, 'cc_hub_retries_total', 'method="consent.store",reason="dropped"') >=
      1,
    'calls held by the killed connector were retried on the other',
  );

  if (!withFolder) {
    t.diagnostic('folder document store not in this build: consent.store part skipped');
    return;
  }
  const stored = records.filter((r) => r.method === 'consent.store');
  assert.equal(stored.length, documents.length);
  assert.ok(documents.length >= 10);
  const pdfs = readdirSync(storeDir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.pdf'));
  assert.equal(pdfs.length, documents.length, 'exactly one file per documentId: none lost, none written twice');
  const hashes = pdfs.map((f) =>
    createHash('sha256')
      .update(readFileSync(path.join(storeDir, f)))
      .digest('hex'),
  );
  assert.deepEqual(hashes.sort(), documents.map((d) => d.sha256).sort(), 'every file whole');
});
