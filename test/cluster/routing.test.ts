// Three hub instances behind HAProxy, connectors for several tenants: a call made through any
// instance reaches its tenant's connector wherever the socket is held; every instance lists the
// whole cluster; the forwarding path is closed to the public.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { sampleValue } from '../helpers/prometheus-text.js';
import { tempDir } from '../helpers/temp-dir.js';
import { describeFailures, steadyLoad } from './calls.js';
import { API_KEY, missingBinaries, startClusterSetup } from './harness.js';

const skip = missingBinaries();
const directory = demoDirectory();

test(
  'calls through every instance reach connectors held anywhere; every instance lists the whole cluster',
  { skip: skip ?? false },
  async (t) => {
    const setup = await startClusterSetup(t, tempDir(t), { tenants: ['acme', 'beta', 'gamma'] });
    await Promise.all([
      setup.startConnector('acme-1', 'acme'),
      setup.startConnector('acme-2', 'acme'),
      setup.startConnector('beta-1', 'beta'),
      setup.startConnector('gamma-1', 'gamma'),
    ]);
    const listed = await setup.waitForConnectors(['acme-1', 'acme-2', 'beta-1', 'gamma-1']);
    const gammaHolder = listed.find((c) => c.name === 'gamma-1')?.instance;
    assert.ok(
      setup.hubs.some((h) => h.instanceId === gammaHolder),
      'each connector is held by one of the instances',
    );

    const entries = [setup.haproxy.httpUrl, ...setup.hubs.map((h) => h.httpUrl)];
    const tenants = ['acme', 'beta', 'gamma'];
    const load = steadyLoad(6, (n) => ({
      baseUrl: entries[n % entries.length] as string,
      tenant: tenants[Math.floor(n / entries.length) % tenants.length] as string,
      method: 'patient.lookup',
      params: { identificationNumber: directory.at(n % 200).localIdentifier },
    }));
    await load.waitForCalls(120);
    const results = await load.stop();
    const failed = results.filter((r) => r.status !== 200 || r.attempts !== 1);
    assert.equal(failed.length, 0, describeFailures(results));
    for (const r of results) assert.ok(r.body.result.patient, 'each lookup found its demo patient');

    // gamma has one connector: calls for it through the two other instances were forwarded to it.
    let forwardedOut = 0;
    for (const hub of setup.hubs) {
      const text = await (
        await fetch(`${hub.httpUrl}/metrics`, { headers: { authorization: `Bearer ${API_KEY}` } })
      ).text();
      assert.match(text, /^cc_hub_redis_up 1$/m);
      assert.match(text, /^cc_hub_cluster_lease_held 1$/m);
      assert.match(text, /^cc_hub_cluster_instances 3$/m);
      forwardedOut += sampleValue(text, 'cc_hub_cluster_forwarded_calls_total', 'direction="out",result="result"');
    }
    assert.ok(forwardedOut >= 20, `calls were forwarded between instances (${forwardedOut})`);

    // The forwarding path: not through the load balancer, not with an API key, not with a wrong secret.
    const body = JSON.stringify({ sessionId: 'x', method: 'patient.lookup', params: {}, waitMs: 1000 });
    const post = (url: string, authorization: string) =>
      fetch(url, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
    assert.equal((await post(`${setup.haproxy.httpUrl}/cluster/v1/call`, `Bearer ${API_KEY}`)).status, 404);
    const direct = `${setup.hubs[0]?.httpUrl}/cluster/v1/call`;
    assert.equal((await post(direct, `Bearer ${API_KEY}`)).status, 401);
    assert.equal((await post(direct, 'Cluster not-the-secret-0123456789abcdefghij')).status, 401);
  },
);
