// PROTOCOL §1 as revised: only the connector pings, every `heartbeatMs` named by the platform in
// its hello result; the platform answers with pongs and pings nothing; either side declares the
// other dead after 2 × heartbeatMs + 5 s of silence.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { startFakePlatform } from '../helpers/fake-platform.js';
import { helloMessage } from '../helpers/hello-message.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { runCli } from '../helpers/run-cli.js';
import { type RawWebSocket, rawWebSocket, textFrame, wsFrame } from '../hostile/raw-wire.js';

async function helloed(port: number, token: string): Promise<{ ws: RawWebSocket; heartbeatMs: number }> {
  const ws = await rawWebSocket(port);
  if ('refused' in ws) throw new Error(`refused ${ws.refused}`);
  ws.send(textFrame(JSON.stringify(helloMessage(token))));
  const answer = JSON.parse(await ws.nextMessage());
  return { ws, heartbeatMs: answer.result.heartbeatMs };
}

test('the hub names its heartbeatMs, never pings, answers pings, and drops a connector silent for 2 × heartbeatMs + 5 s', async (t) => {
  const heartbeatMs = 100;
  const fx = await startTestHub(t, { timers: { heartbeatMs } });
  const token = fx.mint();
  // Before the silent one's last frame (its hello): the hub counts its silence from a later moment,
  // so a drop measured from here can only look later than it was, never earlier.
  const started = performance.now();
  const silent = await helloed(fx.hub.port, token);
  const pinging = await helloed(fx.hub.port, token);
  assert.equal(silent.heartbeatMs, heartbeatMs);
  const pinger = setInterval(() => pinging.ws.send(wsFrame(0x9, 'hb')), heartbeatMs);
  t.after(() => clearInterval(pinger));
  const code = await silent.ws.closed(15_000);
  const silentFor = performance.now() - started;
  assert.equal(code, null, 'terminated, without a closing handshake');
  assert.ok(
    silentFor >= 2 * heartbeatMs + 5_000 - 50,
    `dropped after ${Math.round(silentFor)} ms, not before the window`,
  );
  assert.equal(silent.ws.pings + pinging.ws.pings, 0, 'the hub sent no ping in all that time');
  assert.ok(pinging.ws.pongs >= 10, `the hub answered the pings (${pinging.ws.pongs} pongs)`);
  assert.equal(pinging.ws.closeCode, null, 'the connector that pings stays connected');
  for (let i = 0; i < 100 && fx.hub.connectors().length > 1; i++) await sleep(10);
  assert.equal(fx.hub.connectors().length, 1, 'the hub forgot the silent one only');
});

test('the connector pings at the heartbeatMs of the hello result (not its own 15 s), every heartbeatMs', async (t) => {
  const heartbeatMs = 2_000;
  const platform = await startFakePlatform(t);
  startTestConnector(t, { environment: 'demo', platformUrl: platform.url }, 'cc_demo_heartbeatTestToken_0123456789');
  const socket = await platform.nextConnection();
  const pingsAt: number[] = [];
  socket.ws.on('ping', () => pingsAt.push(performance.now()));
  await socket.acceptHello({ heartbeatMs });
  const acceptedAt = performance.now();
  await sleep(3 * heartbeatMs + 500);
  const afterHello = [acceptedAt, ...pingsAt.filter((at) => at > acceptedAt)];
  const gaps = afterHello.slice(1).map((at, i) => at - (afterHello[i] as number));
  // A connector still on 15 s would have sent none; one that pings at its first check past the
  // interval (a tenth of the dead-after window late: 2.9 s here) would show gaps of 2.9 s.
  assert.ok(gaps.length >= 2, `${gaps.length} pings in ${3 * heartbeatMs + 500} ms after the hello result`);
  const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] as number;
  assert.ok(median < heartbeatMs * 1.25, `pings ${gaps.map(Math.round).join(', ')} ms apart`);
});

test('a platform asking for a heartbeat outside 1 s–120 s is followed within those bounds', async (t) => {
  const platform = await startFakePlatform(t);
  const runtime = startTestConnector(
    t,
    { environment: 'demo', platformUrl: platform.url },
    'cc_demo_heartbeatTestToken_0123456789',
  );
  const socket = await platform.nextConnection();
  let pings = 0;
  socket.ws.on('ping', () => pings++);
  await socket.acceptHello({ heartbeatMs: 1 });
  await waitForState(runtime.connector, 'connected');
  await sleep(1_500);
  assert.ok(pings <= 3, `${pings} pings in 1.5 s: no ping storm when asked for 1 ms`);
});

test('hub --heartbeat-ms is validated: whole milliseconds from 1000 to 120000', async () => {
  for (const value of ['999', '120001', 'abc', '1500.5']) {
    const result = await runCli([
      'hub',
      '--port',
      '0',
      '--tokens',
      '/nonexistent',
      '--api-key-file',
      '/nonexistent',
      '--heartbeat-ms',
      value,
    ]);
    assert.notEqual(result.code, 0, `--heartbeat-ms ${value} is refused`);
    assert.match(result.stderr, /--heartbeat-ms must be a whole number from 1000 to 120000/);
  }
});

test('a hello result without a usable heartbeatMs (missing, 0, negative, text) gets the 15 s default, not a refused session', async (t) => {
  for (const heartbeatMs of [undefined, 0, -5_000, '15000', null]) {
    const platform = await startFakePlatform(t);
    const runtime = startTestConnector(
      t,
      { environment: 'demo', platformUrl: platform.url },
      'cc_demo_heartbeatTestToken_0123456789',
    );
    const socket = await platform.nextConnection();
    await socket.acceptHello({ heartbeatMs });
    await waitForState(runtime.connector, 'connected', 5_000);
    const info = { jsonrpc: '2.0', id: 1, method: 'connector.info', params: {} };
    socket.send(info);
    assert.ok((await socket.response(1)).result, `heartbeatMs ${JSON.stringify(heartbeatMs)}: the session works`);
    assert.equal(socket.closedWith, null);
    await runtime.shutdown();
  }
});
