// A data source goes down while the holder cannot reach Redis: the alert cannot be decided then,
// but it is not lost — once Redis is back, the holder raises it for the cluster, once, and the
// other instances do not clear it.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHub } from '../../src/hub/hub-server.js';
import { createToken } from '../../src/hub/tokens-file.js';
import { silentLogger } from '../../src/main/core/logger.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startWebhookReceiver } from '../redundancy/webhook-receiver.js';
import { API_KEY, missingBinaries, startRedis } from './harness.js';

const skip = missingBinaries();

test(
  'a source reported down during a Redis outage is raised once Redis is back, once',
  { skip: skip ?? false },
  async (t) => {
    const dir = tempDir(t);
    const redis = await startRedis(t, dir);
    const receiver = await startWebhookReceiver(t);
    const tokensFile = path.join(dir, 'tokens.jsonl');
    writeFileSync(tokensFile, '');
    const token = createToken({ tokensFile, tenant: 'acme', environment: 'demo' });
    const start = () =>
      startHub({
        port: 0,
        tokensFile,
        apiKeys: [API_KEY],
        logger: silentLogger,
        alerts: { noConnectorAfterMs: 60_000, webhookUrl: receiver.url, webhook: { baseDelayMs: 50 } },
        cluster: {
          redisUrl: redis.url,
          secret: 'cluster-secret-for-tests-0123456789abcdef',
          timings: { leaseMs: 1_000, pollMs: 100 },
        },
      });
    // A second instance watches too: it must not clear what the holder raises once Redis is back.
    const [hub, other] = await Promise.all([start(), start()]);
    assert.ok(hub && other);
    t.after(() => hub.close({ graceful: false }));
    t.after(() => other.close({ graceful: false }));
    const runtime = startTestConnector(t, { environment: 'demo', platformUrl: hub.wsUrl, name: 'host-a' }, token);
    await waitForState(runtime.connector, 'connected');

    await redis.kill9();
    runtime.connector.setSourceState('patient.lookup', 'down');
    // The holder hears it (its own alert list says so) while it cannot decide it for the cluster.
    const until = Date.now() + 10_000;
    while (!hub.alerts().some((a) => a.alert === 'source_down')) {
      assert.ok(Date.now() < until, 'the holder never heard the source go down');
      await sleep(50);
    }
    await sleep(500);
    assert.equal(receiver.events.length, 0, 'nothing is raised without Redis');

    await redis.restart();
    const down = await receiver.waitFor((e) => e.alert === 'source_down' && e.status === 'firing', 15_000);
    assert.equal(down.source, 'patient.lookup');
    await sleep(2_000); // several polls and renewals on both instances: raised once, not cleared, not again
    assert.deepEqual(
      receiver.events.map((e) => `${e.alert} ${e.status}`),
      ['source_down firing'],
    );
  },
);
