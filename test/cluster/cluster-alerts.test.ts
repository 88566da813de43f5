// The cluster's alert decision itself, against a real Redis: three instances deciding at the same
// moment that a pair has had no connector raise one alert between them, and one clear; an
// instance whose view is not trustworthy (Redis lost, or back for less than a lease) raises none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ClusterAlertEvent, ClusterAlerts } from '../../src/hub/cluster/cluster-alerts.js';
import { connectRedis } from '../../src/hub/cluster/redis-client.js';
import { silentLogger } from '../../src/main/core/logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { missingBinaries, startRedis } from './harness.js';

const skip = missingBinaries();
const pair = { tenant: 'acme', environment: 'demo' };

test('three instances deciding at once: one alert delivered, one clear', { skip: skip ?? false }, async (t) => {
  const redis = await startRedis(t, tempDir(t));
  const delivered: ClusterAlertEvent[] = [];
  const instances = await Promise.all(
    [1, 2, 3].map(async () => {
      const connection = await connectRedis(redis.url, silentLogger);
      t.after(() => connection.close());
      return {
        connection,
        alerts: new ClusterAlerts(connection, {
          noConnectorAfterMs: 200,
          leaseMs: 0,
          deliver: (event) => delivered.push(event),
          logger: silentLogger,
        }),
      };
    }),
  );
  const evaluate = (usable: number) =>
    Promise.all(
      instances.map(async ({ alerts }) =>
        alerts.evaluate({
          fresh: true,
          pairs: [pair],
          usable: () => usable,
          liveSources: new Map(),
          active: await alerts.active(),
        }),
      ),
    );
  await evaluate(0); // every instance starts counting
  await sleep(300);
  await evaluate(0); // every instance is past the delay at the same moment
  assert.deepEqual(
    delivered.map((e) => `${e.alert} ${e.status}`),
    ['no_connector firing'],
  );
  assert.equal((await instances[0]?.alerts.active())?.length, 1);
  await evaluate(1);
  assert.deepEqual(
    delivered.map((e) => `${e.alert} ${e.status}`),
    ['no_connector firing', 'no_connector resolved'],
  );
  assert.equal(delivered[1]?.alertId, delivered[0]?.alertId);
});

test(
  'an instance that lost Redis, or got it back less than a lease ago, raises nothing',
  { skip: skip ?? false },
  async (t) => {
    const redis = await startRedis(t, tempDir(t));
    const connection = await connectRedis(redis.url, silentLogger);
    t.after(() => connection.close());
    const delivered: ClusterAlertEvent[] = [];
    const alerts = new ClusterAlerts(connection, {
      noConnectorAfterMs: 100,
      leaseMs: 1_000,
      deliver: (event) => delivered.push(event),
      logger: silentLogger,
    });
    const evaluate = async (fresh: boolean) =>
      alerts.evaluate({ fresh, pairs: [pair], usable: () => 0, liveSources: new Map(), active: [] });
    // Blind (the registry could not be read): counting never starts.
    for (let i = 0; i < 5; i++) {
      await evaluate(false);
      await sleep(50);
    }
    // Seeing again, but not yet for a lease: others may not have re-registered yet.
    const seeingFrom = performance.now();
    while (performance.now() - seeingFrom < 900) {
      await evaluate(true);
      await sleep(50);
    }
    assert.deepEqual(delivered, []);
    // After a lease of seeing, and the alert delay after that: raised.
    await sleep(250);
    await evaluate(true);
    await sleep(150);
    await evaluate(true);
    assert.equal(delivered.length, 1);
  },
);
