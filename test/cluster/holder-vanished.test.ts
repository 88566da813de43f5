// A holder whose machine vanished (no reset, no answer: a lost VM or datacenter) while it has a
// forwarded call: once its lease lapses the receiving instance stops waiting and answers, instead
// of holding the caller until the call's deadline has passed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KEYS } from '../../src/hub/cluster/registry.js';
import { call } from './calls.js';
import { missingBinaries } from './harness.js';
import { startInProcessClusterHub } from './in-process-hub.js';
import { plantInstance } from './planted-instance.js';

const skip = missingBinaries();
const DEADLINE_MS = 20_000;

test(
  'a holder that stops answering and loses its lease: the caller is answered at the lapse, not at the deadline',
  { skip: skip ?? false },
  async (t) => {
    const { redis, hub } = await startInProcessClusterHub(t, { deadlinesMs: { 'patient.lookup': DEADLINE_MS } });
    // The holder takes the call and then is silent: no answer, no reset.
    const holder = await plantInstance(t, redis.url, { tenant: 'acme', environment: 'demo' }, () => {});

    const answer = call(hub.httpUrl, 'acme', 'patient.lookup', { identificationNumber: 'd100001' });
    while (holder.heard.length === 0) await sleep(20);
    // Its lease lapses (it renews no more).
    await holder.redis.client.del(KEYS.instance('planted-instance'));
    const lapsedAt = performance.now();
    const result = await answer;
    const waitedMs = performance.now() - lapsedAt;
    assert.equal(result.status, 502, JSON.stringify(result.body));
    assert.equal(result.reason, 'connection_lost');
    // Bound: well before the deadline (20 s + slack), which is what the caller waited before.
    assert.ok(waitedMs < DEADLINE_MS / 2, `answered ${Math.round(waitedMs)} ms after the lease lapsed`);
  },
);
