import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHub } from '../../src/hub/hub-server.js';
import { createToken } from '../../src/hub/tokens-file.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { API_KEY } from '../helpers/hub-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startWebhookReceiver } from './webhook-receiver.js';

const ALERT_AFTER_MS = 600;

async function metricsText(httpUrl: string): Promise<string> {
  const res = await fetch(`${httpUrl}/metrics`, { headers: { authorization: `Bearer ${API_KEY}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return res.text();
}

test('no connector for the configured time raises an alert (log, gauge, webhook with retries); a connection clears it', async (t) => {
  const dir = tempDir(t);
  const tokensFile = path.join(dir, 'tokens.jsonl');
  writeFileSync(tokensFile, '');
  // The token exists before the hub starts: the pair is watched from the tokens file alone.
  const token = createToken({ tokensFile, tenant: 'acme', environment: 'demo' });
  const receiver = await startWebhookReceiver(t);
  receiver.failNext(2);
  const logger = captureLogger();
  const startedAt = performance.now();
  const hub = await startHub({
    port: 0,
    tokensFile,
    apiKeys: [API_KEY],
    alerts: { noConnectorAfterMs: ALERT_AFTER_MS, webhookUrl: receiver.url, webhook: { baseDelayMs: 50 } },
    logger,
  });
  t.after(() => hub.close({ graceful: false }));

  await sleep(ALERT_AFTER_MS / 2);
  assert.deepEqual(hub.alerts(), [], 'no alert before the configured time');
  assert.match(await metricsText(hub.httpUrl), /^cc_hub_no_connector_alert\{tenant="acme",environment="demo"\} 0$/m);

  const firing = await receiver.waitFor((e) => e.alert === 'no_connector' && e.status === 'firing');
  assert.ok(performance.now() - startedAt >= ALERT_AFTER_MS, 'raised only after the configured time');
  assert.equal(receiver.attempts, 3, 'the first two deliveries failed and were retried');
  assert.equal(firing.tenant, 'acme');
  assert.equal(firing.environment, 'demo');
  assert.match(firing.message, /No connector has been connected for tenant acme, environment demo/);
  assert.ok(logger.lines.some((l) => /WARN .*ALERT no connector/.test(l) && /tenant=acme/.test(l)));
  let text = await metricsText(hub.httpUrl);
  assert.match(text, /^cc_hub_no_connector_alert\{tenant="acme",environment="demo"\} 1$/m);
  assert.match(text, /^cc_hub_connectors\{tenant="acme",environment="demo",state="ready"\} 0$/m);
  assert.match(text, /^cc_hub_alerts_active\{alert="no_connector"\} 1$/m);

  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: hub.wsUrl, name: 'host-a' }, token);
  await waitForState(runtime.connector, 'connected');
  const cleared = await receiver.waitFor((e) => e.alert === 'no_connector' && e.status === 'resolved');
  assert.equal(cleared.since, firing.since);
  assert.deepEqual(hub.alerts(), []);
  text = await metricsText(hub.httpUrl);
  assert.match(text, /^cc_hub_no_connector_alert\{tenant="acme",environment="demo"\} 0$/m);
  assert.match(text, /^cc_hub_connectors\{tenant="acme",environment="demo",state="ready"\} 1$/m);
  assert.match(text, /^cc_hub_alert_events_total\{alert="no_connector",status="resolved"\} 1$/m);
  assert.ok(logger.lines.some((l) => /alert cleared: a connector is connected again/.test(l)));

  // The connector leaves: after the configured time again, a second alert.
  await runtime.connector.stop();
  const from = receiver.events.length;
  const again = await receiver.waitFor((e) => e.alert === 'no_connector' && e.status === 'firing', 10_000, from);
  assert.notEqual(again.since, firing.since);

  const everything = JSON.stringify(receiver.events) + logger.lines.join('\n');
  assert.ok(!everything.includes(token), 'the token appears in no alert and no log line');
  assert.ok(!everything.includes('secret-path'), 'the webhook URL (a secret) is never logged');
});

test('a connector reporting a data source down raises an alert, cleared when it is back or the connector leaves', async (t) => {
  const dir = tempDir(t);
  const tokensFile = path.join(dir, 'tokens.jsonl');
  writeFileSync(tokensFile, '');
  const token = createToken({ tokensFile, tenant: 'acme', environment: 'demo' });
  const receiver = await startWebhookReceiver(t);
  const hub = await startHub({
    port: 0,
    tokensFile,
    apiKeys: [API_KEY],
    alerts: { noConnectorAfterMs: 60_000, webhookUrl: receiver.url, webhook: { baseDelayMs: 50 } },
  });
  t.after(() => hub.close({ graceful: false }));
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: hub.wsUrl, name: 'host-a' }, token);
  await waitForState(runtime.connector, 'connected');

  runtime.connector.setSourceState('patient.lookup', 'down');
  const down = await receiver.waitFor((e) => e.alert === 'source_down' && e.status === 'firing');
  assert.equal(down.source, 'patient.lookup');
  assert.equal(down.connectorName, 'host-a');
  assert.match(down.message, /Connector "host-a" reports its patient lookup source is not reachable/);
  assert.match(
    await metricsText(hub.httpUrl),
    /^cc_hub_source_down\{tenant="acme",environment="demo",connector_id="[0-9a-f-]+",source="patient.lookup"\} 1$/m,
  );
  const listed = await fetch(`${hub.httpUrl}/v1/alerts`, { headers: { authorization: `Bearer ${API_KEY}` } });
  assert.equal((await listed.json()).alerts[0].alert, 'source_down');

  runtime.connector.setSourceState('patient.lookup', 'up');
  await receiver.waitFor((e) => e.alert === 'source_down' && e.status === 'resolved');
  assert.deepEqual(hub.alerts(), []);

  runtime.connector.setSourceState('patient.lookup', 'down');
  await receiver.waitFor((e) => e.alert === 'source_down' && e.status === 'firing', 10_000, 2);
  await runtime.connector.stop();
  const gone = await receiver.waitFor((e) => e.alert === 'source_down' && e.status === 'resolved', 10_000, 3);
  assert.match(gone.message, /disconnected/);
  assert.equal(receiver.events.length, 4, 'each transition delivered exactly once');
});

test('/metrics needs the API key, and every sample line is valid exposition format', async (t) => {
  const dir = tempDir(t);
  const tokensFile = path.join(dir, 'tokens.jsonl');
  writeFileSync(tokensFile, '');
  const hub = await startHub({ port: 0, tokensFile, apiKeys: [API_KEY] });
  t.after(() => hub.close({ graceful: false }));
  assert.equal((await fetch(`${hub.httpUrl}/metrics`)).status, 401);
  const text = await metricsText(hub.httpUrl);
  for (const line of text.trim().split('\n')) {
    assert.match(line, /^(# (HELP|TYPE) cc_hub_\w+ .+|cc_hub_\w+(\{(\w+="[^"\n]*",?)*\})? [-+.\deE]+|NaN)$/);
  }
});
