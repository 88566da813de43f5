// The hub's side of the handshake and limits, driven by a raw WebSocket client.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import WebSocket from 'ws';
import { hashToken } from '../../src/hub/tokens-file.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { helloMessage } from '../helpers/hello-message.js';
import { startTestHub } from '../helpers/hub-fixture.js';

function open(url: string, protocols: string[] = ['connector.v1']): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

const hello = helloMessage;

test('hello handling: 4401 unknown token, 4426 other protocol, 4400 malformed, 4408 none in time', async (t) => {
  const logger = captureLogger();
  const fx = await startTestHub(t, { timers: { helloTimeoutMs: 300 }, logger });
  const good = fx.mint();

  const unknown = await open(fx.hub.wsUrl);
  unknown.send(JSON.stringify(hello('cc_demo_notAKnownToken_0123456789abcdefgh')));
  assert.equal(await closeCode(unknown), 4401);

  const future = await open(fx.hub.wsUrl);
  future.send(JSON.stringify(hello(good, { protocol: 2 })));
  assert.equal(await closeCode(future), 4426);

  const malformed = await open(fx.hub.wsUrl);
  malformed.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'patient.lookup', params: {} }));
  assert.equal(await closeCode(malformed), 4400);

  const silent = await open(fx.hub.wsUrl);
  assert.equal(await closeCode(silent), 4408);

  const binary = await open(fx.hub.wsUrl);
  binary.send(Buffer.from([0, 1]));
  assert.equal(await closeCode(binary), 1003);

  const ok = await open(fx.hub.wsUrl);
  ok.send(JSON.stringify(hello(good)));
  const answer = await new Promise<any>((resolve) => ok.once('message', (d) => resolve(JSON.parse(d.toString()))));
  assert.equal(answer.id, 'hello');
  assert.equal(answer.result.tenant, 'acme');
  assert.equal(answer.result.environment, 'demo');
  ok.close();
  assert.ok(!logger.lines.join('\n').includes(good), 'the hub never logs a token');
});

test('the hub closes an oversize message with 1009', async (t) => {
  const fx = await startTestHub(t, { maxMessageBytes: 4096 });
  const ws = await open(fx.hub.wsUrl);
  ws.send(JSON.stringify(hello(fx.mint())));
  await new Promise((resolve) => ws.once('message', resolve));
  ws.send('x'.repeat(8192));
  assert.equal(await closeCode(ws), 1009);
});

test('past the deadline the caller gets 504 and the connector gets $/cancelRequest', async (t) => {
  const fx = await startTestHub(t, { deadlinesMs: { 'patient.lookup': 300 } });
  const runtime = startTestConnector(
    t,
    {
      environment: 'demo',
      platformUrl: fx.hub.wsUrl,
      patientLookup: { type: 'demo', latencyMs: 10_000 },
      deadlinesMs: { 'patient.lookup': 60_000 },
    },
    fx.mint(),
  );
  await waitForState(runtime.connector, 'connected');
  const calls: { outcome: string; reason: string | null }[] = [];
  runtime.connector.on('call', (c) => calls.push({ outcome: c.outcome, reason: c.reason }));
  const started = Date.now();
  const res = await fx.call('patient.lookup', { identificationNumber: 'd100000' });
  assert.equal(res.status, 504);
  assert.equal(res.body.error.reason, 'source_timeout');
  const waited = Date.now() - started;
  // Not before deadline + 2 s; and not when the 10 s source finally answered.
  assert.ok(waited >= 2_250 && waited < 10_000, `deadline + 2 s, waited ${waited} ms`);
  for (let i = 0; i < 50 && calls.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(calls, [{ outcome: 'error', reason: 'cancelled' }], 'the connector stopped the work on cancel');
});

test('a client without the connector.v1 subprotocol is closed with 4400 and the hub keeps serving', async (t) => {
  const fx = await startTestHub(t);
  for (let i = 0; i < 3; i++) {
    const stranger = await open(fx.hub.wsUrl, []);
    assert.equal(await closeCode(stranger), 4400);
  }
  const health = await fetch(`${fx.hub.httpUrl}/healthz`);
  assert.equal(health.status, 200, 'the hub process is still up');
});

test('a token past its expiresAt is refused even if the tokens file has not changed since', async (t) => {
  const fx = await startTestHub(t);
  const token = 'cc_demo_expiringTokenForTheTest_0123456789';
  const expiresAt = new Date(Date.now() + 1_500).toISOString();
  writeFileSync(
    fx.tokensFile,
    `${JSON.stringify({ tenant: 'acme', environment: 'demo', sha256: hashToken(token), expiresAt })}\n`,
  );
  const before = await open(fx.hub.wsUrl);
  before.send(JSON.stringify(hello(token)));
  const accepted = await new Promise<any>((resolve) =>
    before.once('message', (d) => resolve(JSON.parse(d.toString()))),
  );
  assert.equal(accepted.result.tenant, 'acme');
  await new Promise((r) => setTimeout(r, 1_700));
  const after = await open(fx.hub.wsUrl);
  after.send(JSON.stringify(hello(token)));
  assert.equal(await closeCode(after), 4401);
});
