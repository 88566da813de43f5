// PROTOCOL §1: a peer is dead only when nothing has arrived from it for 2 × heartbeatMs + 5 s. A
// large message still arriving (a consent PDF of several MiB over a clinic's slow line) is the
// peer very much alive, although no whole frame, ping or pong can arrive until it ends: the
// pong to the connector's ping waits behind it in the platform's send queue. Both ends must
// count its bytes as signs of life, or the document never gets through.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { startFakePlatform } from '../helpers/fake-platform.js';
import { helloMessage } from '../helpers/hello-message.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { rawWebSocket, textFrame } from '../hostile/raw-wire.js';

/** Writes `frame` in pieces over about `overMs`, as a slow line would deliver it. */
async function dribble(write: (chunk: Buffer) => void, frame: Buffer, overMs: number): Promise<void> {
  const pieces = 40;
  const size = Math.ceil(frame.length / pieces);
  for (let at = 0; at < frame.length; at += size) {
    write(frame.subarray(at, at + size));
    await sleep(overMs / pieces);
  }
}

/** An unmasked (server-to-client) text frame. */
function serverTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(10);
  header[0] = 0x81;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(payload.length), 2);
  return Buffer.concat([header, payload]);
}

test('the connector does not declare the platform dead while a large request is still arriving', async (t) => {
  // No automatic pongs: this platform's pongs would be queued behind the frame it is sending.
  const platform = await startFakePlatform(t, { ws: { autoPong: false } });
  const runtime = startTestConnector(
    t,
    { environment: 'demo', platformUrl: platform.url, timers: { pingIntervalMs: 200, deadAfterMs: 1_000 } },
    'cc_demo_heartbeatTestToken_0123456789',
  );
  const socket = await platform.nextConnection();
  await socket.acceptHello();
  await waitForState(runtime.connector, 'connected');
  const raw = (socket.ws as unknown as { _socket: Socket })._socket;
  const request = { jsonrpc: '2.0', id: 7, method: 'connector.info', params: { pad: 'x'.repeat(512 * 1024) } };
  // Three times the dead-after window, with bytes arriving all along.
  await dribble((chunk) => raw.write(chunk), serverTextFrame(JSON.stringify(request)), 3_000);
  const answer = await socket.response(7);
  assert.ok(answer.result, 'the connector answered the request once it had arrived');
  assert.equal(socket.closedWith, null, 'and stayed connected throughout');
});

test('the hub does not declare a connector dead while a large message from it is still arriving', async (t) => {
  const fx = await startTestHub(t, { timers: { heartbeatMs: 100, deadAfterMs: 1_000 } });
  const ws = await rawWebSocket(fx.hub.port);
  if ('refused' in ws) throw new Error(`refused ${ws.refused}`);
  ws.send(textFrame(JSON.stringify(helloMessage(fx.mint()))));
  await ws.nextMessage();
  const unasked = { jsonrpc: '2.0', id: 999, result: { pad: 'x'.repeat(512 * 1024) } };
  await dribble((chunk) => ws.socket.write(chunk), textFrame(JSON.stringify(unasked)), 3_000);
  assert.ok(await ws.roundTrip(), 'the hub still answers once the message has arrived');
  assert.equal(ws.closeCode, null);
  assert.equal(fx.hub.connectors().length, 1, 'the connector is still connected');
});
