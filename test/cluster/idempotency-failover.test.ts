// A keyed call whose holder kept the answer and then died before replying: the platform gives the
// caller that answer rather than running the call again on another connector (at most once).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Idempotency } from '../../src/hub/cluster/idempotency.js';
import { call } from './calls.js';
import { missingBinaries } from './harness.js';
import { startInProcessClusterHub, TEST_CLUSTER_SECRET } from './in-process-hub.js';
import { plantInstance } from './planted-instance.js';

const skip = missingBinaries();
const SECRET = TEST_CLUSTER_SECRET;

test(
  'the holder kept the answer, then its reply was lost: the caller gets that answer, the call is not run again',
  { skip: skip ?? false },
  async (t) => {
    const { redis, hub } = await startInProcessClusterHub(t);

    let runs = 0;
    const holder = await plantInstance(t, redis.url, { tenant: 'acme', environment: 'demo' }, async (body, req) => {
      runs++;
      // What a real holder does (forwarding.ts): keep the final answer, then reply — which dies here.
      const request = JSON.parse(body) as { params: unknown; idempotencyRecord: string };
      const records = new Idempotency(holder.redis, 'planted-instance', {
        ttlMs: 60_000,
        secret: SECRET,
        instanceAlive: () => true,
      });
      await records.complete(request.idempotencyRecord, request.params, {
        kind: 'result',
        result: { stored: true, location: 'docs/d-1', duplicate: false },
      });
      req.socket.destroy();
    });

    const doc = { documentId: 'd-1' };
    const answer = await call(hub.httpUrl, 'acme', 'consent.store', doc, { idempotencyKey: 'k-1' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.result, { stored: true, location: 'docs/d-1', duplicate: false });
    assert.equal(runs, 1);
  },
);
