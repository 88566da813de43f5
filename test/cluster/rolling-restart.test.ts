// A rolling restart of all three instances under load (SIGTERM, wait until it has left, start it
// again, wait until it has joined): each leaving instance says not-ready so the load balancer
// stops sending it anything, moves its connectors with goaway, finishes its calls and gives its
// lease up. Zero failed calls, zero alerts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { consentParams, syntheticPdf } from '../../bench/lib/consent.js';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startWebhookReceiver } from '../redundancy/webhook-receiver.js';
import { describeFailures, steadyLoad } from './calls.js';
import { httpStoreConfig, startDocApi } from './doc-api.js';
import { missingBinaries, startClusterSetup } from './harness.js';

const skip = missingBinaries();
const directory = demoDirectory();
const TENANTS = ['acme', 'beta'];

test(
  'rolling restart of all three instances under load: zero failed calls, zero alerts',
  { skip: skip ?? false },
  async (t) => {
    const receiver = await startWebhookReceiver(t);
    const api = await startDocApi(t);
    const setup = await startClusterSetup(t, tempDir(t), {
      tenants: TENANTS,
      hubArgs: ['--alert-after-s', '2', '--alert-webhook', receiver.url],
    });
    const names = TENANTS.flatMap((tenant) => [`${tenant}-1`, `${tenant}-2`]);
    await Promise.all(
      names.map((name) =>
        setup.startConnector(name, name.split('-')[0] as string, {
          ...httpStoreConfig(api),
          patientLookup: { type: 'demo', latencyMs: 80 },
        }),
      ),
    );
    await setup.waitForConnectors(names);
    const redis = new Redis(setup.redis.url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    t.after(() => redis.disconnect());
    // Alerts about the pairs' wait for their first connector, during set-up, are not this test's business.
    const steadyFrom = Date.now() + 1_000;
    await new Promise((r) => setTimeout(r, 1_000));

    const load = steadyLoad(6, (n) => {
      const tenant = TENANTS[n % TENANTS.length] as string;
      if (n % 4 === 3) {
        return {
          baseUrl: setup.haproxy.httpUrl,
          tenant,
          method: 'consent.store',
          params: consentParams(syntheticPdf(32 * 1024, n)),
        };
      }
      return {
        baseUrl: setup.haproxy.httpUrl,
        tenant,
        method: 'patient.lookup',
        params: { identificationNumber: directory.at(n % 200).localIdentifier },
      };
    });
    await load.waitForCalls(40);
    for (let i = 0; i < 3; i++) {
      const old = setup.hubs[i];
      assert.ok(old);
      const stopped = old.handle.stop(30_000);
      // Leaving: not ready first (the load balancer's cue), while it still answers.
      let readyz = 0;
      while (readyz !== 503 && !old.handle.hasExited) {
        readyz = await fetch(`${old.httpUrl}/readyz`).then(
          (r) => r.status,
          () => 0,
        );
      }
      assert.equal(readyz, 503, `${old.name} said not-ready before it exited`);
      await stopped;
      assert.equal((await old.handle.exited).code, 0, `${old.name} left cleanly`);
      assert.ok(old.handle.lines.some((l) => /cluster: leaving/.test(l.text)));
      // It gave its lease up on the way out, rather than leaving it to expire.
      assert.equal(await redis.exists(`cc:instance:${old.instanceId}`), 0, `${old.name} released its lease`);
      const fresh = await setup.startHub(i);
      await setup.waitForConnectors(names);
      assert.notEqual(fresh.instanceId, old.instanceId);
      await load.waitForCalls(30);
    }
    const results = await load.stop();
    const failed = results.filter((r) => r.status !== 200 || r.attempts !== 1);
    assert.equal(
      failed.length,
      0,
      `${failed.length} of ${results.length} calls failed or needed a retry:\n${describeFailures(results)}`,
    );
    assert.ok(results.length >= 130);
    // Every instance left and was replaced: the registry lists exactly the three new ones.
    const metrics = await (
      await fetch(`${setup.hubs[0]?.httpUrl}/metrics`, {
        headers: { authorization: 'Bearer cluster-api-key-0123456789abcdef' },
      })
    ).text();
    assert.match(metrics, /^cc_hub_cluster_instances 3$/m);
    const during = receiver.events.filter((e) => Date.parse(e.since) >= steadyFrom || Date.parse(e.at) >= steadyFrom);
    assert.deepEqual(during, [], 'no alert was raised or cleared during the restarts');
    t.diagnostic(`${results.length} calls, none failed, through three restarts`);
  },
);
