// A platform on this computer (ws://127.0.0.1, development and tests) is reached directly, never
// through a proxy: the hello carries the token in clear on ws://. And only literal loopback
// addresses and exactly `localhost` count as "this computer" — `evil.localhost` is a name DNS may
// point anywhere, so plain ws:// to it is refused.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfigFile } from '../../src/main/config/load-config.js';
import { probePlatform } from '../../src/main/core/probe.js';
import { buildClientOptions, isLoopbackHost, proxyFor } from '../../src/main/core/transport.js';
import { settingsFrom } from '../../src/main/runtime.js';
import { startConnectProxy } from '../helpers/connect-proxy.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

test('a loopback platform with a proxy in config is reached directly: the proxy never sees the hello', async (t) => {
  const fx = await startTestHub(t);
  const proxy = await startConnectProxy(t);
  const runtime = startTestConnector(
    t,
    { environment: 'demo', platformUrl: fx.hub.wsUrl, proxy: proxy.url },
    fx.mint(),
  );
  await waitForState(runtime.connector, 'connected');
  assert.deepEqual(proxy.tunnels, []);
  await runtime.connector.stop();
  // The wizard's and `check`'s connection test take the same road.
  const file = path.join(tempDir(t), 'connector.json');
  const config = { environment: 'demo', platformUrl: fx.hub.wsUrl, proxy: proxy.url, patientLookup: { type: 'demo' } };
  writeFileSync(file, JSON.stringify(config));
  const probe = await probePlatform(settingsFrom(loadConfigFile(file)), fx.mint());
  assert.equal(probe.outcome, 'connected');
  assert.equal(probe.viaProxy, false);
  assert.deepEqual(proxy.tunnels, []);
});

test('a loopback platform is reached directly whatever HTTP_PROXY / HTTPS_PROXY say', async (t) => {
  const fx = await startTestHub(t);
  const proxy = await startConnectProxy(t);
  const names = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  for (const n of names) delete process.env[n];
  for (const n of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY']) process.env[n] = proxy.url;
  for (const url of [fx.hub.wsUrl, fx.hub.wsUrl.replace('127.0.0.1', 'localhost')]) {
    assert.equal(proxyFor(url), null, url);
  }
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: fx.hub.wsUrl }, fx.mint());
  await waitForState(runtime.connector, 'connected');
  assert.deepEqual(proxy.tunnels, []);
});

test('only literal loopback addresses and exactly "localhost" are this computer', () => {
  for (const host of ['127.0.0.1', '127.3.2.1', '::1', '[::1]', 'localhost', 'LOCALHOST']) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (const host of [
    'evil.localhost',
    'localhost.evil.example',
    'localhost.',
    '127.0.0.1.nip.io',
    '0.0.0.0',
    '10.0.0.1',
    '::',
    'platform.example.com',
  ]) {
    assert.equal(isLoopbackHost(host), false, host);
  }
});

test('plain ws:// to a name under .localhost is refused in words, not sent the token', () => {
  for (const platformUrl of ['ws://evil.localhost:8080/connector/v1', 'ws://a.b.localhost/connector/v1']) {
    assert.throws(
      () => buildClientOptions({ platformUrl, maxMessageBytes: 1024, handshakeTimeoutMs: 1000 }),
      /plain ws:\/\/ is only allowed to this computer/,
      platformUrl,
    );
  }
  // wss:// to such a name is an ordinary remote platform: verified TLS, and a proxy applies.
  assert.equal(proxyFor('wss://evil.localhost/connector/v1', 'http://proxy.clinic:3128'), 'http://proxy.clinic:3128');
});
