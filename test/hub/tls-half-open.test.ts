// A TLS hub and clients that open a connection and never finish the TLS handshake (or never
// start it): the plain listener drops a client that has not sent its headers within 10 s, and
// the TLS one must not keep such sockets for Node's default two minutes: a few thousand of them
// would otherwise hold the hub's memory and file descriptors, unauthenticated.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { startTestHub } from '../helpers/hub-fixture.js';
import { testPki } from '../helpers/tls.js';

function halfOpen(port: number, send?: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1', () => {
      if (send) socket.write(send);
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(performance.now() - started));
  });
}

test('the TLS hub drops connections that do not finish their handshake well before two minutes', async (t) => {
  const pki = await testPki();
  const fx = await startTestHub(t, { tls: { cert: pki.serverCert, key: pki.serverKey } });
  // Silent, and a ClientHello's first bytes with the rest never sent.
  const silent = halfOpen(fx.hub.port);
  const partial = halfOpen(fx.hub.port, Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
  // The guarded listeners allow 10 s for headers; the handshake gets the same, and this bound
  // (three times that) is far from the two minutes it guards against.
  const [silentMs, partialMs] = await Promise.all([silent, partial]);
  assert.ok(silentMs < 30_000, `a silent connection was dropped after ${Math.round(silentMs)} ms`);
  assert.ok(partialMs < 30_000, `a half-sent handshake was dropped after ${Math.round(partialMs)} ms`);
});
