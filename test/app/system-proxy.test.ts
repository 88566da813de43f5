// "Use Windows settings": the connector asks the system for the proxy at every connect (the app
// hands it Electron's resolveProxy: Internet Options, PAC, WPAD) and goes through a real CONNECT
// proxy to a real TLS hub; a proxy that wants Windows sign-in is explained with the fix.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { proxyRefusal, proxyUrlFromList } from '../../src/main/core/system-proxy.js';
import { useSystemProxyLookup } from '../../src/main/core/transport.js';
import { startConnectProxy } from '../helpers/connect-proxy.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { testPki } from '../helpers/tls.js';

async function tlsHub(t: Parameters<typeof startTestHub>[0]) {
  const pki = await testPki();
  const fx = await startTestHub(t, { tls: { cert: pki.serverCert, key: pki.serverKey } });
  const caFile = path.join(tempDir(t), 'ca.pem');
  writeFileSync(caFile, pki.caCert);
  // platform.test resolves nowhere but in the test proxy: a direct connection could not succeed.
  return { fx, caFile, url: fx.hub.wsUrl.replace('127.0.0.1', 'platform.test') };
}

function systemLookup(t: { after: (fn: () => void) => void }, answer: () => string) {
  const asked: string[] = [];
  useSystemProxyLookup(async (url) => {
    asked.push(url);
    return answer();
  });
  t.after(() => useSystemProxyLookup(undefined));
  return asked;
}

test('PAC-style answers: the first usable entry, DIRECT as no proxy, SOCKS skipped', () => {
  assert.equal(proxyUrlFromList('DIRECT'), null);
  assert.equal(proxyUrlFromList('PROXY proxy.clinic.nhs.uk:8080'), 'http://proxy.clinic.nhs.uk:8080');
  assert.equal(proxyUrlFromList('HTTPS secure-proxy:443; DIRECT'), 'https://secure-proxy:443');
  assert.equal(proxyUrlFromList('SOCKS5 socks:1080; PROXY p:3128'), 'http://p:3128');
  assert.equal(proxyUrlFromList('SOCKS socks:1080'), null);
  assert.equal(proxyUrlFromList('DIRECT; PROXY p:3128'), null);
});

test('the system’s proxy carries the connection, and is asked again at every reconnect', async (t) => {
  const { fx, caFile, url } = await tlsHub(t);
  const proxy = await startConnectProxy(t);
  const asked = systemLookup(t, () => `PROXY ${new URL(proxy.url).host}`);
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: url, caFile }, fx.mint());
  await waitForState(runtime.connector, 'connected');
  assert.deepEqual(asked, [`https://platform.test:${fx.hub.port}/`], 'asked for the platform, as https');
  assert.deepEqual(proxy.tunnels, [`platform.test:${fx.hub.port}`]);
  // The network changes (another PAC answer after resume, say): the next connection asks again.
  await fx.hub.close({ graceful: false }).catch(() => undefined);
  await waitForState(runtime.connector, 'backing_off');
  runtime.connector.reconnectNow();
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(asked.length >= 2, `asked again on reconnect (${asked.length})`);
  // Stopped here, before the test's folders (its CA file) are removed under a reconnecting connector.
  await runtime.shutdown();
});

test('a proxy that wants Windows sign-in is reported in words with the fix', async (t) => {
  const { fx, caFile, url } = await tlsHub(t);
  for (const demand of [['Negotiate'], ['NTLM'], ['Negotiate', 'NTLM']]) {
    const proxy = await startConnectProxy(t, { demand });
    const asked = systemLookup(t, () => `PROXY ${new URL(proxy.url).host}; DIRECT`);
    const runtime = startTestConnector(t, { environment: 'demo', platformUrl: url, caFile }, fx.mint());
    await waitForState(runtime.connector, 'backing_off');
    assert.equal(
      runtime.connector.status().lastError,
      'your proxy needs Windows sign-in: ask IT to let platform.test through without it, or enter a proxy account',
      demand.join(','),
    );
    assert.equal(proxy.tunnels.length, 1, 'the proxy was asked');
    assert.equal(asked.length, 1);
    await runtime.shutdown();
  }
  assert.equal(
    proxyRefusal('platform.test', 'Basic realm="clinic"'),
    'your proxy needs a user name and password: enter a proxy account under Network settings',
  );
});

test('an explicit proxy from the set-up wins over the system’s, and loopback goes direct', async (t) => {
  const { fx, caFile, url } = await tlsHub(t);
  const proxy = await startConnectProxy(t);
  const asked = systemLookup(t, () => 'PROXY 127.0.0.1:9');
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: url, caFile, proxy: proxy.url }, fx.mint());
  await waitForState(runtime.connector, 'connected');
  assert.deepEqual(asked, [], 'not asked');
  const local = startTestConnector(t, { environment: 'demo', platformUrl: fx.hub.wsUrl, caFile }, fx.mint());
  await waitForState(local.connector, 'connected');
  assert.deepEqual(asked, [], 'loopback is never proxied');
  await Promise.all([runtime.shutdown(), local.shutdown()]);
});

test('a proxy account (user name and password, with any characters) gets through; a wrong one is named', async (t) => {
  const { fx, caFile, url } = await tlsHub(t);
  const account = { user: 'clinic\\reception', password: 'P@ss:w0rd/ü' };
  const proxy = await startConnectProxy(t, { account });
  const at = new URL(proxy.url);
  at.username = encodeURIComponent(account.user);
  at.password = encodeURIComponent(account.password);
  const ok = startTestConnector(t, { environment: 'demo', platformUrl: url, caFile, proxy: at.href }, fx.mint());
  await waitForState(ok.connector, 'connected');
  at.password = 'wrong';
  const wrong = startTestConnector(t, { environment: 'demo', platformUrl: url, caFile, proxy: at.href }, fx.mint());
  await waitForState(wrong.connector, 'backing_off');
  assert.equal(wrong.connector.status().lastError, 'the proxy requires authentication');
  assert.ok(proxy.tunnels.length >= 2);
  await Promise.all([ok.shutdown(), wrong.shutdown()]);
});
