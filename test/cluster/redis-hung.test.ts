// Redis hung rather than dead (SIGSTOP: the connection stays open, nothing answers — a frozen VM,
// a partition without reset): a keyed call is refused with 503 within about a second, a call on
// a known route is answered, none waits on Redis, and /metrics says Redis is not usable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createToken } from '../../src/hub/tokens-file.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { call } from './calls.js';
import { API_KEY, missingBinaries } from './harness.js';
import { startInProcessClusterHub } from './in-process-hub.js';

const skip = missingBinaries();

test('a hung Redis: keyed calls 503 at once, known routes answered, redis_up 0', { skip: skip ?? false }, async (t) => {
  const { redis, tokensFile, hub } = await startInProcessClusterHub(t);
  const token = createToken({ tokensFile, tenant: 'acme', environment: 'demo' });
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: hub.wsUrl, name: 'host-a' }, token);
  await waitForState(runtime.connector, 'connected');
  const redisUp = async () =>
    /^cc_hub_redis_up 1$/m.test(
      await (await fetch(`${hub.httpUrl}/metrics`, { headers: { authorization: `Bearer ${API_KEY}` } })).text(),
    );
  assert.equal(await redisUp(), true);

  process.kill(redis.handle.pid, 'SIGSTOP');
  t.after(() => {
    try {
      process.kill(redis.handle.pid, 'SIGCONT');
    } catch {}
  });
  // A few polls time out (each Redis command gives up after 1 s).
  const until = Date.now() + 15_000;
  while (await redisUp()) {
    assert.ok(Date.now() < until, 'cc_hub_redis_up still says 1 with Redis hung');
    await sleep(200);
  }
  const lookup = await call(hub.httpUrl, 'acme', 'patient.lookup', { identificationNumber: 'd100001' });
  assert.equal(lookup.status, 200, 'the known (local) route is answered');
  const keyed = await call(
    hub.httpUrl,
    'acme',
    'patient.lookup',
    { identificationNumber: 'd100001' },
    {
      idempotencyKey: 'hung-1',
    },
  );
  assert.equal(keyed.status, 503);
  assert.equal(keyed.reason, 'cluster_unavailable');
  // Bound: a few Redis command timeouts (1 s each), far below the call's 12 s wait.
  assert.ok(
    keyed.endedAt - keyed.startedAt < 5_000,
    `keyed call took ${Math.round(keyed.endedAt - keyed.startedAt)} ms`,
  );

  process.kill(redis.handle.pid, 'SIGCONT');
  const back = Date.now() + 15_000;
  while (!(await redisUp())) {
    assert.ok(Date.now() < back, 'cc_hub_redis_up never came back');
    await sleep(200);
  }
});
