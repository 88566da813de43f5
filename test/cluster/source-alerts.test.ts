// "Data source down" in a cluster: only the instance holding the connector hears its
// connector.health; the alert is raised once for the cluster, listed by every instance, delivered
// to the webhook once with an id, and cleared once when the source is back.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHub } from '../../src/hub/hub-server.js';
import { createToken } from '../../src/hub/tokens-file.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startWebhookReceiver } from '../redundancy/webhook-receiver.js';
import { API_KEY, missingBinaries, startRedis } from './harness.js';

const skip = missingBinaries();

test(
  'a data source reported down through one instance: one alert for the cluster, listed everywhere, one clear',
  { skip: skip ?? false },
  async (t) => {
    const dir = tempDir(t);
    const redis = await startRedis(t, dir);
    const receiver = await startWebhookReceiver(t);
    const tokensFile = path.join(dir, 'tokens.jsonl');
    writeFileSync(tokensFile, '');
    const token = createToken({ tokensFile, tenant: 'acme', environment: 'demo' });
    const hubs = await Promise.all(
      [1, 2, 3].map(() =>
        startHub({
          port: 0,
          tokensFile,
          apiKeys: [API_KEY],
          alerts: { noConnectorAfterMs: 60_000, webhookUrl: receiver.url, webhook: { baseDelayMs: 50 } },
          cluster: {
            redisUrl: redis.url,
            secret: 'cluster-secret-for-tests-0123456789abcdef',
            timings: { leaseMs: 3_000, pollMs: 100 },
          },
        }),
      ),
    );
    for (const hub of hubs) t.after(() => hub.close({ graceful: false }));
    const holder = hubs[0];
    assert.ok(holder);
    const runtime = startTestConnector(t, { environment: 'demo', platformUrl: holder.wsUrl, name: 'host-a' }, token);
    await waitForState(runtime.connector, 'connected');
    const listAlerts = async (httpUrl: string) =>
      (await (await fetch(`${httpUrl}/v1/alerts`, { headers: { authorization: `Bearer ${API_KEY}` } })).json()).alerts;

    runtime.connector.setSourceState('patient.lookup', 'down');
    const down = await receiver.waitFor((e) => e.alert === 'source_down' && e.status === 'firing');
    assert.equal(down.source, 'patient.lookup');
    assert.equal(down.connectorName, 'host-a');
    assert.match(down.id, /^[0-9a-f]{32}\.firing$/);
    await sleep(1_000); // every instance has polled the registry several times: none clears or raises it again
    for (const hub of hubs) {
      assert.deepEqual(
        (await listAlerts(hub.httpUrl)).map((a: { id: string }) => a.id),
        [down.id],
      );
    }

    runtime.connector.setSourceState('patient.lookup', 'up');
    const up = await receiver.waitFor((e) => e.alert === 'source_down' && e.status === 'resolved');
    assert.equal(up.alertId, down.alertId);
    await sleep(500);
    assert.deepEqual(
      receiver.events.map((e) => `${e.alert} ${e.status}`),
      ['source_down firing', 'source_down resolved'],
    );
    for (const hub of hubs) assert.deepEqual(await listAlerts(hub.httpUrl), []);
  },
);
