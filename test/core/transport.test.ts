// TLS and proxies for real: certificate verification, TLS version floor, CONNECT proxies, NO_PROXY.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import tls from 'node:tls';
import { startConnectProxy } from '../helpers/connect-proxy.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { startFakePlatform } from '../helpers/fake-platform.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { testPki } from '../helpers/tls.js';

const SLOW_RETRY = { backoffBaseMs: 10_000, backoffCapMs: 10_000 };

async function caFile(t: Parameters<typeof tempDir>[0]): Promise<string> {
  const file = path.join(tempDir(t), 'ca.pem');
  writeFileSync(file, (await testPki()).caCert);
  return file;
}

test('wss to the hub works when its CA is configured', async (t) => {
  const pki = await testPki();
  const fx = await startTestHub(t, { tls: { cert: pki.serverCert, key: pki.serverKey } });
  const url = fx.hub.wsUrl.replace('127.0.0.1', 'localhost');
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: url, caFile: await caFile(t) }, fx.mint());
  await waitForState(runtime.connector, 'connected');
});

test('a server whose certificate is not trusted is refused, in plain words', async (t) => {
  const pki = await testPki();
  const fx = await startTestHub(t, { tls: { cert: pki.serverCert, key: pki.serverKey } });
  const url = fx.hub.wsUrl.replace('127.0.0.1', 'localhost');
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: url, timers: SLOW_RETRY }, fx.mint());
  await waitForState(runtime.connector, 'backing_off');
  assert.match(runtime.connector.status().lastError ?? '', /certificate is not trusted/);
  assert.equal(fx.hub.connectors().length, 0);
});

test('a server that only speaks TLS 1.1 is refused', async (t) => {
  const pki = await testPki();
  const platform = await startFakePlatform(t, {
    tls: {
      cert: pki.serverCert,
      key: pki.serverKey,
      minVersion: 'TLSv1.1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    },
  });
  // Prove the server really offers TLS 1.1, so the refusal below is the connector's doing.
  const negotiated = await new Promise<string | null>((resolve) => {
    const s = tls.connect(
      {
        host: '127.0.0.1',
        port: platform.port,
        ca: pki.caCert,
        servername: 'localhost',
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      },
      () => {
        resolve(s.getProtocol());
        s.end();
      },
    );
    s.on('error', () => resolve(null));
  });
  assert.equal(negotiated, 'TLSv1.1');
  const runtime = startTestConnector(
    t,
    { environment: 'demo', platformUrl: platform.url, caFile: await caFile(t), timers: SLOW_RETRY },
    'cc_demo_tlsFloorTestToken_0123456789abcdef',
  );
  await waitForState(runtime.connector, 'backing_off');
  assert.match(runtime.connector.status().lastError ?? '', /TLS/);
  assert.equal(platform.connections.length, 0);
});

test('an explicit proxy from config carries the connection through CONNECT', async (t) => {
  const pki = await testPki();
  const fx = await startTestHub(t, { tls: { cert: pki.serverCert, key: pki.serverKey } });
  const proxy = await startConnectProxy(t);
  const url = fx.hub.wsUrl.replace('127.0.0.1', 'platform.test');
  const runtime = startTestConnector(
    t,
    { environment: 'demo', platformUrl: url, caFile: await caFile(t), proxy: proxy.url },
    fx.mint(),
  );
  await waitForState(runtime.connector, 'connected');
  assert.deepEqual(proxy.tunnels, [`platform.test:${fx.hub.port}`]);
  assert.equal(fx.hub.connectors().length, 1);
});

test('HTTPS_PROXY from the environment is used, and NO_PROXY bypasses it', async (t) => {
  const pki = await testPki();
  const fx = await startTestHub(t, { tls: { cert: pki.serverCert, key: pki.serverKey } });
  const proxy = await startConnectProxy(t);
  const saved = {
    HTTPS_PROXY: process.env.HTTPS_PROXY,
    NO_PROXY: process.env.NO_PROXY,
    https_proxy: process.env.https_proxy,
    no_proxy: process.env.no_proxy,
  };
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  delete process.env.https_proxy;
  delete process.env.no_proxy;
  process.env.HTTPS_PROXY = proxy.url;
  process.env.NO_PROXY = 'other.example';
  const url = fx.hub.wsUrl.replace('127.0.0.1', 'platform.test');
  const ca = await caFile(t);
  const via = startTestConnector(t, { environment: 'demo', platformUrl: url, caFile: ca }, fx.mint());
  await waitForState(via.connector, 'connected');
  assert.equal(proxy.tunnels.length, 1);
  await via.connector.stop();

  process.env.NO_PROXY = 'localhost,platform.test';
  const direct = startTestConnector(
    t,
    { environment: 'demo', platformUrl: url, caFile: ca, timers: SLOW_RETRY },
    fx.mint(),
  );
  await waitForState(direct.connector, 'backing_off');
  // Direct means asking DNS for a name only the proxy knows: it fails, and the proxy saw nothing new.
  assert.equal(proxy.tunnels.length, 1);
  assert.match(direct.connector.status().lastError ?? '', /could not be resolved|lost|failed/);
});

test('plain ws:// is refused for anything but loopback', async (t) => {
  assert.throws(
    () =>
      startTestConnector(
        t,
        { environment: 'demo', platformUrl: 'ws://platform.example/connector/v1' },
        'cc_demo_plainWsTestToken_0123456789abcdef',
        { start: false },
      ),
    /only allowed to this computer/,
  );
});

test('a CA listed in NODE_EXTRA_CA_CERTS is trusted too (the explicit trust list keeps it)', async (t) => {
  const pki = await testPki();
  const fx = await startTestHub(t, { tls: { cert: pki.serverCert, key: pki.serverKey } });
  const saved = process.env.NODE_EXTRA_CA_CERTS;
  t.after(() => {
    if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
    else process.env.NODE_EXTRA_CA_CERTS = saved;
  });
  process.env.NODE_EXTRA_CA_CERTS = await caFile(t);
  const url = fx.hub.wsUrl.replace('127.0.0.1', 'localhost');
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: url }, fx.mint());
  await waitForState(runtime.connector, 'connected');
});
