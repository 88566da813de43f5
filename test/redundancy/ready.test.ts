import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHealthServer } from '../../src/main/health/health-server.js';
import type { PatientLookupSource } from '../../src/main/integrations/types.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { freePort, getText } from './free-port.js';

test('/ready is 503 with the reason until connected, 200 when connected, 503 when a source is down; /metrics follows', async (t) => {
  const fx = await startTestHub(t);
  const healthPort = await freePort();
  const logger = captureLogger();
  const runtime = startTestConnector(
    t,
    { environment: 'demo', platformUrl: fx.hub.wsUrl.replace(/:\d+\//, ':1/'), healthPort },
    fx.mint(),
    { logger },
  );
  const server = await runtime.health?.ready();
  assert.equal(server?.port, healthPort);
  const url = `http://127.0.0.1:${healthPort}`;

  // Port 1 refuses: the connector backs off, and /ready says so in words.
  await waitForState(runtime.connector, 'backing_off');
  let ready = await getText(`${url}/ready`);
  assert.equal(ready.status, 503);
  assert.match(ready.text, /^Not ready: (not connected to the platform|connecting to the platform)/);

  await runtime.shutdown();
  const refused = await getText(`${url}/ready`);
  assert.equal(refused.status, 0, 'the health server stops with the connector');

  const healthPort2 = await freePort();
  const live = startTestConnector(
    t,
    { environment: 'demo', platformUrl: fx.hub.wsUrl, healthPort: healthPort2, name: 'host-a' },
    fx.mint(),
  );
  await waitForState(live.connector, 'connected');
  await live.health?.ready();
  const url2 = `http://127.0.0.1:${healthPort2}`;
  ready = await getText(`${url2}/ready`);
  assert.equal(ready.status, 200, ready.text);
  assert.match(ready.text, /^Ready: connected/);

  await fx.call('patient.lookup', { identificationNumber: 'nosuchpatient' });
  await fx.call('patient.lookup', {});
  const metrics = await getText(`${url2}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(metrics.text, /^cc_connector_connected 1$/m);
  assert.match(metrics.text, /^cc_connector_state\{state="connected"\} 1$/m);
  assert.match(metrics.text, /^cc_connector_calls_total\{method="patient.lookup",outcome="not_found"\} 1$/m);
  assert.match(metrics.text, /^cc_connector_calls_total\{method="patient.lookup",outcome="invalid_params"\} 1$/m);
  assert.match(metrics.text, /^cc_connector_call_duration_seconds_count\{method="patient.lookup"\} 2$/m);
  assert.match(metrics.text, /^cc_connector_source_up\{source="patient.lookup"\} 1$/m);
  assert.match(metrics.text, /^cc_connector_latency_seconds [\d.e-]+$/m);

  live.connector.setSourceState('patient.lookup', 'down');
  ready = await getText(`${url2}/ready`);
  assert.equal(ready.status, 503);
  assert.equal(ready.text, 'Not ready: connected, but the patient lookup source cannot be reached.\n');
  assert.match((await getText(`${url2}/metrics`)).text, /^cc_connector_source_up\{source="patient.lookup"\} 0$/m);

  assert.equal((await getText(`${url2}/nothing`)).status, 404);
  const post = await fetch(`${url2}/ready`, { method: 'POST' });
  assert.equal(post.status, 405);
});

test('the source checks mark a source down and up again, and tell the platform', async (t) => {
  const fx = await startTestHub(t);
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: fx.hub.wsUrl }, fx.mint());
  await waitForState(runtime.connector, 'connected');
  let reachable = true;
  const source: PatientLookupSource = {
    type: 'fake',
    lookup: async () => [],
    ping: async () => reachable,
    close: async () => {},
  };
  const server = await startHealthServer({ port: 0, connector: runtime.connector, source, sourceCheckMs: 50 });
  t.after(() => server.close());
  assert.equal((await getText(`${server.url}/ready`)).status, 200);

  reachable = false;
  const until = Date.now() + 5_000;
  while ((await getText(`${server.url}/ready`)).status !== 503 && Date.now() < until) await sleep(25);
  assert.match((await getText(`${server.url}/ready`)).text, /patient lookup source cannot be reached/);
  // The platform heard it through connector.health.
  while (fx.hub.connectors()[0]?.sources['patient.lookup'] !== 'down' && Date.now() < until) await sleep(25);
  assert.equal(fx.hub.connectors()[0]?.sources['patient.lookup'], 'down');

  reachable = true;
  while ((await getText(`${server.url}/ready`)).status !== 200 && Date.now() < until) await sleep(25);
  assert.equal((await getText(`${server.url}/ready`)).status, 200);
});

test('a health port already in use is logged and the connector runs on', async (t) => {
  const fx = await startTestHub(t);
  const blocker = await startHealthServer({
    port: 0,
    connector: startTestConnector(t, { environment: 'demo', platformUrl: fx.hub.wsUrl }, fx.mint()).connector,
  });
  t.after(() => blocker.close());
  const logger = captureLogger();
  const runtime = startTestConnector(
    t,
    { environment: 'demo', platformUrl: fx.hub.wsUrl, healthPort: blocker.port },
    fx.mint(),
    { logger },
  );
  await waitForState(runtime.connector, 'connected');
  assert.equal(await runtime.health?.ready(), null);
  assert.ok(logger.lines.some((l) => /health endpoints could not listen.*port already in use/.test(l)));
});
