// "No connector for (T, E)" decided once for the whole cluster: a tenant whose only connector dies
// gets exactly one alert across the three instances (not one per instance), listed by every
// instance, and exactly one clear when a connector comes back. The 60 s delay is shortened to 3 s
// (--alert-after-s), and the absence lasts past it as 70 s does past 60 s.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleValue } from '../helpers/prometheus-text.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startWebhookReceiver } from '../redundancy/webhook-receiver.js';
import { API_KEY, missingBinaries, startClusterSetup } from './harness.js';

const skip = missingBinaries();
const ALERT_AFTER_S = 3;

test(
  'a tenant without any connector past the alert delay: exactly one alert across the cluster, one clear when it comes back',
  { skip: skip ?? false },
  async (t) => {
    const receiver = await startWebhookReceiver(t);
    const setup = await startClusterSetup(t, tempDir(t), {
      tenants: ['acme', 'lonely'],
      hubArgs: ['--alert-after-s', String(ALERT_AFTER_S), '--alert-webhook', receiver.url],
    });
    await Promise.all([setup.startConnector('acme-1', 'acme'), setup.startConnector('lonely-1', 'lonely')]);
    await setup.waitForConnectors(['acme-1', 'lonely-1']);
    // Set-up alerts (pairs waiting for their first connector) are cleared by now; count from here.
    await sleep(1_000);
    const from = receiver.events.length;
    const fromWall = Date.now();

    const lonely = setup.connectors.get('lonely-1');
    assert.ok(lonely);
    const killedAt = performance.now();
    await lonely.handle.killHard();
    const firing = await receiver.waitFor(
      (e) => e.alert === 'no_connector' && e.status === 'firing' && e.tenant === 'lonely',
      20_000,
      from,
    );
    assert.ok(performance.now() - killedAt >= ALERT_AFTER_S * 1000, 'not before the alert delay');
    assert.ok(Date.parse(firing.since) >= fromWall - 1_000);
    assert.match(firing.id, /^[0-9a-f]{32}\.firing$/);
    // Absent for well past the delay: every instance has had time to decide, and none decided again.
    await sleep((ALERT_AFTER_S + 4) * 1000);
    for (const hub of setup.hubs) {
      const listed = (await setup.api('/v1/alerts', hub.httpUrl)).alerts;
      assert.deepEqual(
        listed.map((a: { id: string }) => a.id),
        [firing.id],
        `${hub.name} lists the cluster's one alert`,
      );
    }
    let raised = 0;
    for (const hub of setup.hubs) {
      const text = await (
        await fetch(`${hub.httpUrl}/metrics`, { headers: { authorization: `Bearer ${API_KEY}` } })
      ).text();
      raised += sampleValue(text, 'cc_hub_alert_events_total', 'alert="no_connector",status="firing"');
    }
    assert.ok(raised >= 1);

    await setup.startConnector('lonely-1', 'lonely');
    const cleared = await receiver.waitFor(
      (e) => e.alert === 'no_connector' && e.status === 'resolved' && e.tenant === 'lonely',
      20_000,
      from,
    );
    assert.equal(cleared.alertId, firing.alertId);
    assert.equal(cleared.id, `${firing.alertId}.resolved`);
    await sleep(2_000);
    const events = receiver.events.slice(from).map((e) => `${e.tenant} ${e.alert} ${e.status}`);
    assert.deepEqual(events, ['lonely no_connector firing', 'lonely no_connector resolved']);
    for (const hub of setup.hubs) assert.deepEqual((await setup.api('/v1/alerts', hub.httpUrl)).alerts, []);
  },
);
