// How instances prove a forwarded call comes from the cluster. The address a call is forwarded to
// is whatever an instance wrote in Redis; whoever can write to Redis can name an address of their
// own. They may then see the calls sent there, but never the cluster secret itself (which would open
// every instance's forwarding path and every sealed idempotency answer): a forwarded call carries a
// signature of its own body and time, not the secret. A signature cannot be replayed later or
// moved onto another body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClusterSecret } from '../../src/hub/cluster/forwarding.js';
import { call } from './calls.js';
import { missingBinaries } from './harness.js';
import { startInProcessClusterHub, TEST_CLUSTER_SECRET } from './in-process-hub.js';
import { plantInstance } from './planted-instance.js';

const skip = missingBinaries();
const SECRET = TEST_CLUSTER_SECRET;

test(
  'an address planted in Redis receives a signed call, never the cluster secret',
  { skip: skip ?? false },
  async (t) => {
    const { redis, hub } = await startInProcessClusterHub(t);

    // Someone with write access to Redis registers an "instance" at an address of their own.
    const planted = await plantInstance(t, redis.url, { tenant: 'acme', environment: 'demo' }, (_body, _req, res) => {
      res.writeHead(503).end();
    });

    await call(hub.httpUrl, 'acme', 'patient.lookup', { identificationNumber: 'd100001' });
    assert.ok(planted.heard.length > 0, 'the call was forwarded to the planted address');
    for (const header of planted.heard)
      assert.ok(!header.includes(SECRET), 'the cluster secret went to the planted address');
  },
);

test('a forwarded call’s signature holds for its own body, for a short while only', () => {
  const secret = new ClusterSecret(SECRET);
  const body = JSON.stringify({ sessionId: 's', method: 'patient.lookup', params: {}, waitMs: 1_000 });
  const now = Date.now();
  const header = secret.sign(body, now);
  assert.equal(secret.verify(header, body, now + 1_000), true);
  assert.equal(secret.verify(header, `${body} `, now + 1_000), false, 'another body');
  assert.equal(secret.verify(header, body, now + 10 * 60_000), false, 'replayed ten minutes later');
  assert.equal(new ClusterSecret(`${SECRET}x`).verify(header, body, now), false, 'another cluster');
  assert.equal(secret.verify(`Cluster ${SECRET}`, body, now), false, 'the bare secret is no longer a credential');
  assert.equal(secret.verify(undefined, body, now), false);
  assert.equal(secret.verify('Cluster t=1, sig=AAAA', body, now), false);
});
