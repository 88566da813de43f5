// Connection lifecycle against the real hub: restart, dead peer, goaway, drain, token rotation.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { startHub } from '../../src/hub/hub-server.js';
import { hashToken } from '../../src/hub/tokens-file.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { startFakePlatform } from '../helpers/fake-platform.js';
import { API_KEY, callHub, startTestHub } from '../helpers/hub-fixture.js';

test('the connector reconnects on its own after the platform restarts', async (t) => {
  const fx = await startTestHub(t);
  const token = fx.mint();
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: fx.hub.wsUrl }, token);
  await waitForState(runtime.connector, 'connected');
  const firstSession = runtime.connector.status().sessionId;
  await fx.hub.close({ graceful: false });
  await waitForState(runtime.connector, 'backing_off');
  const again = await startHub({ port: fx.hub.port, host: '127.0.0.1', tokensFile: fx.tokensFile, apiKeys: [API_KEY] });
  t.after(() => again.close({ graceful: false }));
  await waitForState(runtime.connector, 'connected', 10_000);
  assert.notEqual(runtime.connector.status().sessionId, firstSession);
  const res = await callHub(again.httpUrl, 'patient.lookup', { identificationNumber: 'd100005' });
  assert.equal(res.body.result.patient.localIdentifier, 'D100005');
});

test('a black-holed platform (no pong, nothing) is detected after deadAfterMs and the connector reconnects', async (t) => {
  const platform = await startFakePlatform(t, { ws: { autoPong: false } });
  const runtime = startTestConnector(
    t,
    { environment: 'demo', platformUrl: platform.url, timers: { pingIntervalMs: 100, deadAfterMs: 600 } },
    'cc_demo_blackholeTestToken_0123456789abcdef',
  );
  const first = await platform.nextConnection();
  await first.acceptHello();
  await waitForState(runtime.connector, 'connected');
  const connectedAt = Date.now();
  await waitForState(runtime.connector, 'backing_off', 5_000);
  const detectedAfter = Date.now() - connectedAt;
  assert.ok(detectedAfter >= 550 && detectedAfter < 2_500, `detected after ${detectedAfter} ms`);
  assert.match(runtime.connector.status().lastError ?? '', /heartbeat/);
  const second = await platform.nextConnection();
  await second.acceptHello();
  await waitForState(runtime.connector, 'connected');
});

test('latency is the round trip of the last ping', async (t) => {
  const fx = await startTestHub(t);
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: fx.hub.wsUrl }, fx.mint());
  await waitForState(runtime.connector, 'connected');
  for (let i = 0; i < 50 && runtime.connector.status().latencyMs === null; i++)
    await new Promise((r) => setTimeout(r, 20));
  const latency = runtime.connector.status().latencyMs;
  assert.ok(latency !== null && latency >= 0 && latency < 500, `latency ${latency}`);
});

test('platform.goaway: a new connection first, the old one finishes its calls; no call lost', async (t) => {
  const fx = await startTestHub(t);
  const runtime = startTestConnector(
    t,
    { environment: 'demo', platformUrl: fx.hub.wsUrl, patientLookup: { type: 'demo', latencyMs: 300 } },
    fx.mint(),
  );
  await waitForState(runtime.connector, 'connected');
  const oldSession = runtime.connector.status().sessionId;
  const states: string[] = [];
  runtime.connector.on('state', (s) => states.push(s.state));
  const inFlight = Array.from({ length: 20 }, (_, i) =>
    fx.call('patient.lookup', { identificationNumber: `d${100100 + i}` }),
  );
  await new Promise((r) => setTimeout(r, 50));
  fx.hub.goaway(0);
  const later: Promise<{ status: number; body: any }>[] = [];
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 40));
    later.push(fx.call('patient.lookup', { identificationNumber: `d${100200 + i}` }));
  }
  const results = await Promise.all([...inFlight, ...later]);
  for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.notEqual(runtime.connector.status().sessionId, oldSession, 'moved to a new session');
  assert.ok(
    !states.includes('backing_off') && !states.includes('connecting'),
    `never disconnected: ${states.join(',')}`,
  );
  for (let i = 0; i < 50 && fx.hub.connectors().length !== 1; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(fx.hub.connectors().length, 1, 'the old connection was closed after its calls');
});

test('stop drains: calls in flight finish, the platform is told, the socket closes with 1001', async (t) => {
  const platform = await startFakePlatform(t);
  const runtime = startTestConnector(
    t,
    { environment: 'demo', platformUrl: platform.url, patientLookup: { type: 'demo', latencyMs: 400 } },
    'cc_demo_drainTestToken_0123456789abcdef',
  );
  const socket = await platform.nextConnection();
  await socket.acceptHello();
  await waitForState(runtime.connector, 'connected');
  for (let i = 0; i < 5; i++) socket.request(i, 'patient.lookup', { identificationNumber: `d${100000 + i}` });
  await new Promise((r) => setTimeout(r, 50));
  const stopped = runtime.connector.stop();
  await socket.next((m) => m?.method === 'connector.draining');
  assert.equal(runtime.connector.status().state, 'draining');
  socket.request('late', 'patient.lookup', { identificationNumber: 'd100009' });
  const late = await socket.response('late');
  assert.equal(late.error.code, -32008);
  const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => socket.response(i)));
  for (const a of answers) assert.ok(a.result.patient, 'answered in full');
  assert.equal(await socket.whenClosed(), 1001);
  await stopped;
  assert.equal(runtime.connector.status().state, 'stopped');
});

test('tokens rotate and revoke in the hub without a restart', async (t) => {
  const fx = await startTestHub(t);
  const oldToken = fx.mint();
  const a = startTestConnector(t, { environment: 'demo', platformUrl: fx.hub.wsUrl }, oldToken);
  await waitForState(a.connector, 'connected');
  const newToken = fx.mint(); // rotation: both active at once
  const b = startTestConnector(t, { environment: 'demo', platformUrl: fx.hub.wsUrl }, newToken);
  await waitForState(b.connector, 'connected');
  const revoked = readFileSync(fx.tokensFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const entry = JSON.parse(line);
      return JSON.stringify(entry.sha256 === hashToken(oldToken) ? { ...entry, revoked: true } : entry);
    })
    .join('\n');
  writeFileSync(fx.tokensFile, `${revoked}\n`);
  await waitForState(a.connector, 'rejected', 10_000);
  assert.equal(a.connector.status().lastCloseCode, 4401);
  assert.equal(b.connector.status().state, 'connected');
  for (let i = 0; i < 50 && fx.hub.connectors().length !== 1; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(fx.hub.connectors().length, 1);
});

test('a token listed for the other environment is refused with 4403', async (t) => {
  const fx = await startTestHub(t);
  const token = 'cc_demo_listedForProductionOnly_0123456789';
  writeFileSync(
    fx.tokensFile,
    `${JSON.stringify({ tenant: 'acme', environment: 'production', sha256: hashToken(token) })}\n`,
  );
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: fx.hub.wsUrl }, token);
  await waitForState(runtime.connector, 'rejected');
  assert.equal(runtime.connector.status().lastCloseCode, 4403);
  assert.match(runtime.connector.status().lastError ?? '', /other environment/);
});

test('after a goaway whose new connection keeps failing, stop() stops for good', async (t) => {
  const platform = await startFakePlatform(t);
  const runtime = startTestConnector(
    t,
    { environment: 'demo', platformUrl: platform.url, timers: { backoffBaseMs: 100, backoffCapMs: 100 } },
    'cc_demo_goawayStopTestToken_0123456789abcd',
  );
  const first = await platform.nextConnection();
  await first.acceptHello();
  await waitForState(runtime.connector, 'connected');
  first.send({ jsonrpc: '2.0', method: 'platform.goaway', params: { reconnectAfterMs: 0 } });
  // The replacement is refused (closed before its hello is answered), so a retry is scheduled.
  const replacement = await platform.nextConnection();
  await replacement.next((m) => m?.method === 'connector.hello');
  replacement.ws.close(1011);
  await runtime.connector.stop();
  assert.equal(runtime.connector.status().state, 'stopped');
  const connectionsAtStop = platform.connections.length;
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(platform.connections.length, connectionsAtStop, 'no connection was opened after stop');
  assert.equal(runtime.connector.status().state, 'stopped');
});

test('source health reaches the platform only after the hello result, and without unconfigured methods', async (t) => {
  const platform = await startFakePlatform(t);
  const runtime = startTestConnector(
    t,
    { environment: 'demo', platformUrl: platform.url },
    'cc_demo_healthOrderTestToken_0123456789ab',
  );
  const socket = await platform.nextConnection();
  const hello = await socket.next((m) => m?.method === 'connector.hello');
  runtime.connector.setSourceState('patient.lookup', 'down');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(socket.received, [], 'nothing but the hello before its result');
  await socket.acceptHello({}, hello);
  const health = await socket.next((m) => m?.method === 'connector.health');
  assert.deepEqual(health.params, { sources: { 'patient.lookup': 'down' } });
});
