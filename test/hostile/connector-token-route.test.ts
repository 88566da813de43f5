// The saved connection token goes only the way it was saved: the same platform address, proxy and
// CA file, together. Changing any of them needs the token pasted again or an explicit confirmation;
// a config file edited behind the app's back sends the token nowhere; a token pasted with its
// address (PROTOCOL §9) goes only to that address; and with no address known, the person is asked.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { AppController } from '../../src/main/controller/app-controller.js';
import { FileSecretStore } from '../../src/main/controller/secret-store.js';
import { startConnectProxy } from '../helpers/connect-proxy.js';
import { FAST_TIMERS } from '../helpers/connector-fixture.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { testPki } from '../helpers/tls.js';

const BASE = { environment: 'demo' as const, patientLookup: { type: 'demo' }, consentStore: null, startAtLogin: false };

async function controllerIn(t: TestContext, baseDir: string, platformUrl: string | null): Promise<AppController> {
  const controller = await AppController.create({
    baseDir,
    secrets: new FileSecretStore(baseDir),
    platformUrls: { demo: platformUrl, production: platformUrl },
    logsDir: path.join(baseDir, 'logs'),
    configExtras: { timers: FAST_TIMERS },
    probeTimeoutMs: 3_000,
  });
  t.after(() => controller.close());
  return controller;
}

/** A listener that would read whatever is sent to it. */
async function elsewhere(t: TestContext): Promise<{ url: string; received: Buffer[] }> {
  const received: Buffer[] = [];
  const server = createServer((socket) => socket.on('data', (d) => received.push(d)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/connector/v1`, received };
}

test('a changed proxy or CA file needs the token pasted again, or an explicit confirmation', async (t) => {
  const fx = await startTestHub(t);
  const baseDir = tempDir(t);
  const controller = await controllerIn(t, baseDir, fx.hub.wsUrl);
  const token = fx.mint('demo');
  const saved = { platformUrl: fx.hub.wsUrl, proxyMode: 'system' as const };
  assert.equal((await controller.handlers['setup.save']({ ...BASE, token, network: saved })).ok, true);

  const proxy = await startConnectProxy(t);
  const caFile = path.join(tempDir(t), 'ca.pem');
  writeFileSync(caFile, (await testPki()).caCert);
  const changed = [
    { network: { ...saved, proxyMode: 'manual' as const, proxyUrl: proxy.url }, words: /^The proxy is not the one/ },
    { network: { ...saved, caFile }, words: /^The certificate file is not the one/ },
    {
      network: { ...saved, proxyMode: 'manual' as const, proxyUrl: proxy.url, caFile },
      words: /^The proxy and the certificate file are not the ones/,
    },
  ];
  for (const { network, words } of changed) {
    const probe = await controller.handlers['setup.testPlatform']({ environment: 'demo', network });
    assert.equal(probe.outcome, 'invalid');
    assert.match(probe.message, words);
    assert.match(probe.message, /Paste the connection token again, or confirm/);
    const save = await controller.handlers['setup.save']({ ...BASE, network });
    assert.deepEqual([save.ok, save.field], [false, 'token']);
    assert.match(save.message, words);
  }
  assert.deepEqual(proxy.tunnels, []);
  assert.equal(readFileSync(path.join(baseDir, 'demo', 'connector.json'), 'utf8').includes('ca.pem'), false);

  // Confirmed: the saved token may go this way, and from then on this is its route.
  const withCa = { ...saved, caFile };
  const confirmed = await controller.handlers['setup.testPlatform']({
    environment: 'demo',
    network: withCa,
    confirmTokenDestination: true,
  });
  assert.equal(confirmed.outcome, 'connected');
  const save = await controller.handlers['setup.save']({ ...BASE, network: withCa, confirmTokenDestination: true });
  assert.equal(save.ok, true, save.message);
  assert.equal(
    (await controller.handlers['setup.testPlatform']({ environment: 'demo', network: withCa })).outcome,
    'connected',
  );
  const back = await controller.handlers['setup.testPlatform']({ environment: 'demo', network: saved });
  assert.match(back.message, /^The certificate file is not the one/);
});

test('a config file edited behind the app sends the saved token nowhere, and says so in words', async (t) => {
  const fx = await startTestHub(t);
  const baseDir = tempDir(t);
  const first = await controllerIn(t, baseDir, fx.hub.wsUrl);
  const network = { platformUrl: fx.hub.wsUrl, proxyMode: 'system' as const };
  assert.equal((await first.handlers['setup.save']({ ...BASE, token: fx.mint('demo'), network })).ok, true);
  await first.close();

  const other = await elsewhere(t);
  const file = path.join(baseDir, 'demo', 'connector.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...config, platformUrl: other.url }));
  const second = await controllerIn(t, baseDir, fx.hub.wsUrl);
  const demo = second.status().environments.find((e) => e.environment === 'demo');
  assert.equal(demo?.state, 'stopped');
  assert.match(demo?.lastError ?? '', /platform address is not the one saved with the connection token/);
  assert.match(demo?.lastError ?? '', /Choose Set up… and paste the connection token again/);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(Buffer.concat(other.received).length, 0, 'nothing was sent to the edited address');

  // Someone who does not know the token cannot write a matching route either.
  const routeFile = path.join(baseDir, 'demo', 'token-binding.json');
  const route = JSON.parse(readFileSync(routeFile, 'utf8'));
  writeFileSync(routeFile, JSON.stringify({ ...route, platformUrl: other.url }));
  await second.close();
  const third = await controllerIn(t, baseDir, fx.hub.wsUrl);
  const again = third.status().environments.find((e) => e.environment === 'demo');
  assert.match(again?.lastError ?? '', /changed outside Cloud Connector/);
  assert.equal(Buffer.concat(other.received).length, 0);
});

test('a token pasted with its address goes to that address only, and the bare token is what is saved', async (t) => {
  const fx = await startTestHub(t);
  const baseDir = tempDir(t);
  const controller = await controllerIn(t, baseDir, null);
  const token = fx.mint('demo');
  const withAddress = `${token}@${fx.hub.wsUrl}`;
  const blank = { platformUrl: '', proxyMode: 'system' as const };

  const other = await elsewhere(t);
  const mismatch = await controller.handlers['setup.testPlatform']({
    environment: 'demo',
    token: withAddress,
    network: { ...blank, platformUrl: other.url },
  });
  assert.equal(mismatch.outcome, 'invalid');
  assert.match(mismatch.message, /^This token is for the platform at 127\.0\.0\.1:\d+, but Network settings name/);
  const refusedSave = await controller.handlers['setup.save']({
    ...BASE,
    token: withAddress,
    network: { ...blank, platformUrl: other.url },
  });
  assert.equal(refusedSave.ok, false);
  assert.equal(Buffer.concat(other.received).length, 0);

  const probe = await controller.handlers['setup.testPlatform']({
    environment: 'demo',
    token: withAddress,
    network: blank,
  });
  assert.equal(probe.outcome, 'connected');
  assert.match(probe.host, /^127\.0\.0\.1:\d+$/);
  const save = await controller.handlers['setup.save']({ ...BASE, token: withAddress, network: blank });
  assert.equal(save.ok, true, save.message);
  assert.equal(readFileSync(path.join(baseDir, 'demo', 'token'), 'utf8').trim(), token);
  const view = await controller.handlers['setup.get']({ environment: 'demo' });
  assert.equal(view.network.platformUrl, fx.hub.wsUrl);
  // Saved with its address: the saved token does not follow a typed one.
  const moved = await controller.handlers['setup.testPlatform']({
    environment: 'demo',
    network: { ...blank, platformUrl: other.url },
  });
  assert.match(moved.message, /^The platform address is not the one saved/);
  assert.equal(Buffer.concat(other.received).length, 0);
});

test('with no address known, no placeholder is offered or used: the person is asked in words', async (t) => {
  const fx = await startTestHub(t);
  for (const builtIn of [null, 'wss://platform.example/connector/v1']) {
    const controller = await controllerIn(t, tempDir(t), builtIn);
    const view = await controller.handlers['setup.get']({ environment: 'production' });
    assert.equal(view.network.platformUrl, '');
    const blank = { platformUrl: view.network.platformUrl, proxyMode: 'system' as const };
    const token = fx.mint('demo');
    const probe = await controller.handlers['setup.testPlatform']({ environment: 'demo', token, network: blank });
    assert.equal(probe.outcome, 'invalid');
    assert.match(
      probe.message,
      /^Type the platform address under Network settings, or paste the token with its address/,
    );
    const save = await controller.handlers['setup.save']({ ...BASE, token, network: blank });
    assert.deepEqual([save.ok, save.field], [false, 'network.platformUrl']);
    const placeholder = await controller.handlers['setup.save']({
      ...BASE,
      token,
      network: { ...blank, platformUrl: 'wss://platform.example/connector/v1' },
    });
    assert.deepEqual([placeholder.ok, placeholder.field], [false, 'network.platformUrl']);
    // A token with a broken address is refused before anything is sent.
    const broken = await controller.handlers['setup.testPlatform']({
      environment: 'demo',
      token: `${token}@not a host`,
      network: blank,
    });
    assert.match(broken.message, /^The part after @ is not a platform address/);
  }
});
