// A rolling upgrade of two connectors (real processes) under a steady stream of calls: restart A,
// wait until the hub has it back, restart B. Zero failed calls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startCluster } from './cluster.js';
import { describeFailures, startLoad } from './load.js';

const directory = demoDirectory();
const lookups = (n: number) => ({
  method: 'patient.lookup',
  params: { identificationNumber: directory.at(n % 200).localIdentifier },
});

test('rolling upgrade under load: restart A, wait until connected, restart B: zero failed calls', async (t) => {
  const cluster = await startCluster(t, tempDir(t), {
    connectorConfig: { patientLookup: { type: 'demo', latencyMs: 40 } },
  });
  await Promise.all([cluster.startConnector('host-a'), cluster.startConnector('host-b')]);
  await cluster.waitForHubConnectors(['host-a', 'host-b']);
  const load = startLoad({ httpUrl: cluster.hub.httpUrl, apiKey: cluster.hub.apiKey, concurrency: 6, next: lookups });
  await load.waitForCalls(40);
  for (const name of ['host-a', 'host-b']) {
    await cluster.connectors.get(name)?.handle.stop();
    await cluster.startConnector(name);
    // "Wait until connected" means connected at the hub, ready for calls, before the next restart.
    await cluster.waitForHubConnectors(['host-a', 'host-b']);
    await load.waitForCalls(30);
  }
  const records = await load.stop();
  const failed = records.filter((r) => r.status !== 200);
  assert.equal(failed.length, 0, `${failed.length} of ${records.length} calls failed:\n${describeFailures(records)}`);
  assert.ok(records.length >= 100);
});
