// The proxy address may carry a password. It is kept like the token (connector.json holds the
// address without it and a reference to it) and never sent back to the window: the window sees a
// placeholder, and the placeholder coming back keeps the saved password, for the same user at the
// same proxy only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AppController } from '../../src/main/controller/app-controller.js';
import { FileSecretStore } from '../../src/main/controller/secret-store.js';
import type { SetupInput } from '../../src/shared/ipc/channels.js';
import { PROXY_PASSWORD_PLACEHOLDER } from '../../src/shared/ipc/proxy-url.js';
import { tempDir } from '../helpers/temp-dir.js';

const PASSWORD = 'Pr0xy@Winter-2026';
const PLATFORM = 'ws://127.0.0.1:9/connector/v1';
const TOKEN = `cc_demo_${'k'.repeat(43)}`;

async function savedWithProxy(t: { after: (fn: () => Promise<void> | void) => void }) {
  const baseDir = tempDir(t);
  const controller = await AppController.create({
    baseDir,
    secrets: new FileSecretStore(baseDir),
    platformUrls: { demo: PLATFORM, production: PLATFORM },
    logsDir: path.join(baseDir, 'logs'),
    probeTimeoutMs: 2_000,
  });
  t.after(() => controller.close());
  const input: SetupInput = {
    environment: 'demo',
    token: TOKEN,
    network: { platformUrl: PLATFORM, proxyMode: 'manual', proxyUrl: `http://clinic:${PASSWORD}@127.0.0.1:9` },
    patientLookup: { type: 'demo' },
    consentStore: null,
    startAtLogin: false,
  };
  assert.equal((await controller.handlers['setup.save'](input)).ok, true);
  await controller.handlers['connector.setPaused']({ environment: 'demo', paused: true });
  const configFile = path.join(baseDir, 'demo', 'connector.json');
  /** The address the connector uses: connector.json's, with the password from the secret store. */
  const saved = () => {
    const text = readFileSync(configFile, 'utf8');
    const config = JSON.parse(text);
    assert.deepEqual(config.proxyPassword, { stored: 'proxy.password' });
    const password = readFileSync(path.join(baseDir, 'demo', 'secrets', 'proxy.password'), 'utf8').trim();
    assert.ok(!text.includes(password), 'connector.json never holds the password');
    return (config.proxy as string).replace('clinic@', `clinic:${password}@`);
  };
  assert.equal(saved(), `http://clinic:${PASSWORD}@127.0.0.1:9`, 'the password is kept');
  const { token: _t, ...again } = input;
  return { controller, saved, again };
}

test('setup.get shows the proxy address with a placeholder for its password', async (t) => {
  const { controller } = await savedWithProxy(t);
  const view = await controller.handlers['setup.get']({ environment: 'demo' });
  assert.equal(view.network.proxyUrl, `http://clinic:${PROXY_PASSWORD_PLACEHOLDER}@127.0.0.1:9`);
  assert.ok(!JSON.stringify(view).includes(PASSWORD), 'the password is not sent to the window');
  const diagnostics = (await controller.handlers['diagnostics.copy']({})).text;
  assert.ok(!diagnostics.includes(PASSWORD));
});

test('saving with the placeholder keeps the saved password; a new password replaces it', async (t) => {
  const { controller, saved, again } = await savedWithProxy(t);
  const view = await controller.handlers['setup.get']({ environment: 'demo' });
  const save = (proxyUrl: string) =>
    controller.handlers['setup.save']({ ...again, network: { ...again.network, proxyUrl } });
  assert.equal((await save(view.network.proxyUrl ?? '')).ok, true);
  assert.equal(saved(), `http://clinic:${PASSWORD}@127.0.0.1:9`);
  assert.equal((await save('http://clinic:new-pass@127.0.0.1:9')).ok, true);
  assert.equal(saved(), 'http://clinic:new-pass@127.0.0.1:9');
});

test('the placeholder with a different proxy or user is refused: the saved password stays where it was', async (t) => {
  const { controller, saved, again } = await savedWithProxy(t);
  for (const proxyUrl of [
    `http://clinic:${PROXY_PASSWORD_PLACEHOLDER}@proxy.elsewhere.example:8080`,
    `http://someone:${PROXY_PASSWORD_PLACEHOLDER}@127.0.0.1:9`,
  ]) {
    const result = await controller.handlers['setup.save']({ ...again, network: { ...again.network, proxyUrl } });
    assert.equal(result.ok, false);
    assert.equal(result.field, 'network.proxyUrl');
    assert.match(result.message, /type the proxy password again/);
    assert.ok(!result.message.includes(PASSWORD));
    const probe = await controller.handlers['setup.testPlatform']({
      environment: 'demo',
      network: { ...again.network, proxyUrl },
    });
    assert.equal(probe.outcome, 'invalid');
    assert.match(probe.message, /type the proxy password again/);
  }
  assert.equal(saved(), `http://clinic:${PASSWORD}@127.0.0.1:9`);
});
