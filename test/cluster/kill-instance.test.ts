// kill -9 of the instance holding connector sockets, under a steady load of lookups and
// consent.store through the load balancer and through the other instances: no failed call for a
// tenant that still has a connector on another instance, and the killed instance's connectors are
// back through the load balancer within 15 s.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { consentParams, syntheticPdf } from '../../bench/lib/consent.js';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { tempDir } from '../helpers/temp-dir.js';
import { describeFailures, steadyLoad } from './calls.js';
import { httpStoreConfig, startDocApi } from './doc-api.js';
import { missingBinaries, startClusterSetup } from './harness.js';

const skip = missingBinaries();
const directory = demoDirectory();
const TENANTS = ['acme', 'beta', 'gamma'];

test(
  'kill -9 of an instance holding sockets: no failed call for tenants with a connector elsewhere; connectors back within 15 s',
  { skip: skip ?? false },
  async (t) => {
    const api = await startDocApi(t);
    const setup = await startClusterSetup(t, tempDir(t), { tenants: TENANTS });
    const names = TENANTS.flatMap((tenant) => [`${tenant}-1`, `${tenant}-2`]);
    const store = httpStoreConfig(api);
    await Promise.all(
      names.map((name) =>
        setup.startConnector(name, name.split('-')[0] as string, {
          ...store,
          patientLookup: { type: 'demo', latencyMs: 60 },
        }),
      ),
    );
    const before = await setup.waitForConnectors(names);
    // The victim: the instance holding the most sockets.
    const held = (id: string) => before.filter((c) => c.instance === id).length;
    const victim = [...setup.hubs].sort((a, b) => held(b.instanceId) - held(a.instanceId))[0];
    assert.ok(victim && held(victim.instanceId) > 0);
    const covered = TENANTS.filter((tenant) =>
      before.some((c) => c.name.startsWith(`${tenant}-`) && c.instance !== victim.instanceId),
    );
    const survivors = setup.hubs.filter((h) => h !== victim);
    const entries = [setup.haproxy.httpUrl, ...survivors.map((h) => h.httpUrl)];

    const documents: string[] = [];
    const load = steadyLoad(8, (n) => {
      const tenant = TENANTS[n % TENANTS.length] as string;
      const baseUrl = entries[Math.floor(n / TENANTS.length) % entries.length] as string;
      if (n % 5 === 4) {
        const doc = consentParams(syntheticPdf(32 * 1024, n));
        documents.push(doc.documentId);
        return { baseUrl, tenant, method: 'consent.store', params: doc, idempotencyKey: randomUUID() };
      }
      return {
        baseUrl,
        tenant,
        method: 'patient.lookup',
        params: { identificationNumber: directory.at(n % 200).localIdentifier },
        idempotencyKey: randomUUID(),
      };
    });
    await load.waitForCalls(60);
    const killedAt = performance.now();
    await victim.handle.killHard();
    await load.waitForCalls(60);
    // The victim's connectors reconnect through the load balancer to the two others.
    const removed = setup.hubs.splice(setup.hubs.indexOf(victim), 1);
    assert.equal(removed.length, 1, 'the killed instance is no longer asked');
    const after = await setup.waitForConnectors(names, 15_000);
    const backInMs = performance.now() - killedAt;
    assert.ok(after.every((c) => c.instance !== victim.instanceId));
    await load.waitForCalls(60);
    const results = await load.stop();

    const mustHold = results.filter((r) => covered.includes(r.tenant));
    const failed = mustHold.filter((r) => r.status !== 200);
    assert.equal(failed.length, 0, `tenants ${covered.join(', ')}:\n${describeFailures(mustHold)}`);
    // A tenant whose every connector was on the victim was told at once: its call lost with the
    // connector (502 connection_lost) or no connector until one is back (503), never left hanging.
    for (const r of results.filter((x) => x.status !== 200)) {
      assert.ok(
        (r.status === 502 && r.reason === 'connection_lost') || (r.status === 503 && r.reason === 'no_connector'),
        describeFailures([r]),
      );
      assert.ok(r.endedAt - r.startedAt < 5_000);
    }
    const storedOk = results.filter((r) => r.method === 'consent.store' && r.status === 200);
    for (const r of storedOk) assert.equal(r.body.result.stored, true);
    for (const [documentId, posts] of api.posts) {
      assert.ok(posts >= 1 && api.filed.has(documentId));
    }
    t.diagnostic(
      `${results.length} calls; victim held ${held(victim.instanceId)} of ${names.length} sockets; ` +
        `all connectors back in ${Math.round(backInMs)} ms; ${results.filter((r) => r.attempts > 1).length} caller retries`,
    );
  },
);
