// The hub's unauthenticated stretch and its trust in connector-supplied text (issue 11): 64 KiB
// per message before the hello, a cap on sockets waiting for it, `connector.health` names and
// error reasons from a fixed set, bounded connector text, a bad percent-encoding answered 400.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureLogger } from '../helpers/capture-logger.js';
import { helloMessage } from '../helpers/hello-message.js';
import { API_KEY, startTestHub } from '../helpers/hub-fixture.js';
import { type RawWebSocket, rawHttp, rawWebSocket, textFrame, wsFrame } from '../hostile/raw-wire.js';

const helloFrame = (token: string, extra: Record<string, unknown> = {}) =>
  textFrame(JSON.stringify(helloMessage(token, extra)));

async function openRaw(port: number): Promise<RawWebSocket> {
  const ws = await rawWebSocket(port);
  if ('refused' in ws) throw new Error(`upgrade refused with ${ws.refused}`);
  return ws;
}

async function connected(port: number, token: string, extra: Record<string, unknown> = {}): Promise<RawWebSocket> {
  const ws = await openRaw(port);
  ws.send(helloFrame(token, extra));
  const answer = JSON.parse(await ws.nextMessage());
  assert.equal(answer.id, 'hello', 'the hello succeeded');
  return ws;
}

test('before its hello a socket may send 64 KiB: a frame announcing 20 MiB is closed with 1009 before its payload arrives', async (t) => {
  const fx = await startTestHub(t);
  const ws = await openRaw(fx.hub.port);
  // Only the header and 16 bytes are sent: a hub that waited to buffer the whole 20 MiB would never answer.
  ws.send(wsFrame(0x1, Buffer.alloc(16, 0x20), { declaredLength: 20 * 1024 * 1024 }));
  assert.equal(await ws.closed(), 1009);

  const justOver = await openRaw(fx.hub.port);
  justOver.send(helloFrame(fx.mint(), { name: 'x'.repeat(65 * 1024) }));
  assert.equal(await justOver.closed(), 1009, 'a 65 KiB hello is refused as too large, not parsed');
});

test('before its hello a socket may not send its 64 KiB as thousands of tiny fragments (each one a buffer held by the hub)', async (t) => {
  const fx = await startTestHub(t, { timers: { helloTimeoutMs: 60_000 } });
  const ws = await openRaw(fx.hub.port);
  const fragments = [wsFrame(0x1, '{', { fin: false })];
  for (let i = 0; i < 5_000; i++) fragments.push(wsFrame(0x0, ' ', { fin: false }));
  ws.send(Buffer.concat(fragments));
  // Dropped at once, not kept until a hello timeout (a minute here) with every fragment in memory.
  assert.equal(await ws.closed(10_000), null, 'the socket is dropped');
  assert.equal(fx.hub.pendingHellos(), 0);

  // A hello a client library sent in a few fragments (and a ping before it) is still a hello.
  const fragmented = await openRaw(fx.hub.port);
  const hello = Buffer.from(JSON.stringify(helloMessage(fx.mint())));
  const piece = Math.ceil(hello.length / 8);
  fragmented.send(wsFrame(0x9, 'hb'));
  for (let at = 0, i = 0; at < hello.length; at += piece, i++) {
    const last = at + piece >= hello.length;
    fragmented.send(wsFrame(i === 0 ? 0x1 : 0x0, hello.subarray(at, at + piece), { fin: last }));
  }
  const answer = JSON.parse(await fragmented.nextMessage());
  assert.ok(answer.result?.sessionId, 'the fragmented hello succeeded');
});

test('after the hello the configured limit applies: a 1 MiB message is read, not refused', async (t) => {
  const fx = await startTestHub(t);
  const ws = await connected(fx.hub.port, fx.mint());
  // A response to a request nobody made: read, matched to nothing, and ignored.
  ws.send(textFrame(JSON.stringify({ jsonrpc: '2.0', id: 999, result: { pad: 'x'.repeat(1024 * 1024) } })));
  ws.send(textFrame('{"jsonrpc":"2.0","id":"ask","method":"platform.anything"}'));
  const answer = JSON.parse(await ws.nextMessage());
  assert.equal(answer.id, 'ask');
  assert.equal(answer.error.code, -32601, 'still connected and answering after the 1 MiB message');
  assert.equal(ws.closeCode, null);
});

test('sockets waiting for their hello are capped: one more is answered HTTP 503, and let in once one leaves', async (t) => {
  const fx = await startTestHub(t, { maxPendingHellos: 3 });
  const waiting = [await openRaw(fx.hub.port), await openRaw(fx.hub.port), await openRaw(fx.hub.port)];
  assert.equal(fx.hub.pendingHellos(), 3);
  const refused = await rawWebSocket(fx.hub.port);
  assert.ok('refused' in refused, 'the fourth upgrade is not accepted');
  assert.equal(refused.refused, 503);

  // A connector that passes its hello no longer counts as waiting.
  waiting[0]?.send(helloFrame(fx.mint()));
  await waiting[0]?.nextMessage();
  const fourth = await openRaw(fx.hub.port);
  assert.equal(fx.hub.pendingHellos(), 3);
  fourth.socket.destroy();
  waiting[1]?.socket.destroy();
  for (let i = 0; i < 100 && fx.hub.pendingHellos() > 1; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(fx.hub.pendingHellos(), 1, 'sockets that went away are no longer counted');
});

test('a socket refused at its hello that never answers the close frame stops holding a waiting slot within seconds', async (t) => {
  const fx = await startTestHub(t, { maxPendingHellos: 1, timers: { helloTimeoutMs: 300 } });
  // raw-wire does not answer close frames: it plays a client that keeps the socket open.
  const mute = await openRaw(fx.hub.port);
  assert.equal(await mute.closed(), 4408, 'no hello in time');
  const started = performance.now();
  while (fx.hub.pendingHellos() > 0 && performance.now() - started < 20_000) {
    await new Promise((r) => setTimeout(r, 50));
  }
  // ws waits 30 s for the closing handshake by default: a few such clients locked every connector out.
  assert.equal(fx.hub.pendingHellos(), 0, `still waiting after ${Math.round(performance.now() - started)} ms`);
  const next = await rawWebSocket(fx.hub.port);
  assert.ok(!('refused' in next), 'the next connector gets the slot');
  next.socket.destroy();
});

test('connector.health with 50,000 invented source names raises only the §7 sources, without their text', async (t) => {
  const logger = captureLogger();
  const fx = await startTestHub(t, { logger });
  const markup = '<a href="https://evil.example/">click</a>';
  const ws = await connected(fx.hub.port, fx.mint(), { name: `pc ${markup}` });
  const sources: Record<string, string> = { 'patient.lookup': 'down' };
  for (let i = 0; i < 50_000; i++) sources[`invented-source-${i}${markup}`] = 'down';
  ws.send(textFrame(JSON.stringify({ jsonrpc: '2.0', method: 'connector.health', params: { sources } })));
  for (let i = 0; i < 200 && fx.hub.alerts().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  // Sent again at once: reports are passed on at most once a second, and only the known name counts.
  ws.send(textFrame(JSON.stringify({ jsonrpc: '2.0', method: 'connector.health', params: { sources } })));
  await new Promise((r) => setTimeout(r, 200));
  const alerts = fx.hub.alerts();
  assert.equal(alerts.length, 1, 'one alert: patient.lookup down');
  assert.equal(alerts[0]?.source, 'patient.lookup');
  const everything = JSON.stringify(alerts) + logger.lines.join('\n') + fx.hub.metrics();
  assert.ok(!everything.includes('invented-source'), 'no invented source name in alerts, logs or metrics');
  assert.ok(!/[<>"]/.test(alerts[0]?.message.replace(/^Connector "[^"]*"/, '') ?? ''), 'no markup in the alert text');
  assert.ok(!/[<>"]/.test(alerts[0]?.connectorName ?? ''), 'the connector name is stripped of markup');
  assert.ok(logger.lines.filter((l) => l.includes('ALERT')).length <= 1);
  const [info] = fx.hub.connectors();
  assert.deepEqual(Object.keys(info?.sources ?? {}), ['patient.lookup']);
});

test('an error reason outside §5 reaches the caller and the metrics as `other`, its message cut short', async (t) => {
  const fx = await startTestHub(t);
  const ws = await connected(fx.hub.port, fx.mint());
  const invented = `made_up_reason_${'z'.repeat(200)}`;
  ws.socket.on('data', () => {
    for (const text of ws.messages.splice(0)) {
      const request = JSON.parse(text);
      if (request.method !== 'patient.lookup') continue;
      const error = { code: -32099, message: 'm'.repeat(100_000), data: { reason: invented, retryable: false } };
      ws.send(textFrame(JSON.stringify({ jsonrpc: '2.0', id: request.id, error })));
    }
  });
  const res = await fx.call('patient.lookup', { identificationNumber: 'd100000' });
  assert.equal(res.status, 502);
  assert.equal(res.body.error.reason, 'other');
  assert.ok(res.body.error.message.length <= 300, `message of ${res.body.error.message.length} characters`);
  const metrics = fx.hub.metrics();
  assert.match(metrics, /cc_hub_calls_total\{method="patient.lookup",outcome="other"\} 1/);
  assert.ok(!metrics.includes('made_up_reason'), 'the invented reason is no metrics label');
});

test('API paths: a bad percent-encoding is 400, targets new URL chokes on are 4xx, and the hub answers on', async (t) => {
  const fx = await startTestHub(t);
  const get = (target: string) =>
    rawHttp(fx.hub.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${API_KEY}\r\n\r\n`);
  const post = await rawHttp(
    fx.hub.port,
    `POST /v1/%ZZ/demo/rpc/patient.lookup HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${API_KEY}\r\nContent-Length: 2\r\n\r\n{}`,
  );
  assert.equal(post.status, 400);
  assert.match(post.text, /"reason":"target_bad_encoding"/);
  for (const target of ['//x:99999', 'http://[', '/v1/%E0%A4%A/demo/rpc/patient.lookup']) {
    const answer = await get(target);
    assert.ok(answer.status !== null && answer.status >= 400 && answer.status < 500, `${target}: ${answer.status}`);
  }
  for (const target of ['//x:99999', 'http://[', '/connector/%ZZ', '*']) {
    const upgrade = await rawWebSocket(fx.hub.port, { path: target });
    assert.ok('refused' in upgrade && upgrade.refused !== null && upgrade.refused < 500, `upgrade ${target}`);
  }
  assert.equal((await fetch(`${fx.hub.httpUrl}/healthz`)).status, 200);
});
