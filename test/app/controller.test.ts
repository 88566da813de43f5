import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AppController } from '../../src/main/controller/app-controller.js';
import { FileSecretStore } from '../../src/main/controller/secret-store.js';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import type { SetupInput } from '../../src/shared/ipc/channels.js';
import type { AppStatus } from '../../src/shared/ipc/status.js';
import { FAST_TIMERS } from '../helpers/connector-fixture.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

async function controllerFor(t: { after: (fn: () => Promise<void> | void) => void }, baseDir: string, wsUrl: string) {
  let login = true;
  const controller = await AppController.create({
    baseDir,
    secrets: new FileSecretStore(baseDir),
    platformUrls: { demo: wsUrl, production: wsUrl },
    logsDir: path.join(baseDir, 'logs'),
    configExtras: { timers: FAST_TIMERS },
    loginItem: {
      get: () => login,
      set: (on) => {
        login = on;
      },
    },
    probeTimeoutMs: 5_000,
  });
  t.after(() => controller.close());
  return controller;
}

function waitFor(controller: AppController, check: (s: AppStatus) => boolean, timeoutMs = 10_000): Promise<AppStatus> {
  const now = controller.status();
  if (check(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      controller.off('status', listener);
      reject(new Error(`timed out; status: ${JSON.stringify(controller.status().environments.map((e) => e.state))}`));
    }, timeoutMs);
    const listener = (s: AppStatus) => {
      if (!check(s)) return;
      clearTimeout(timer);
      controller.off('status', listener);
      resolve(s);
    };
    controller.on('status', listener);
  });
}

const demoState = (s: AppStatus) => s.environments.find((e) => e.environment === 'demo')?.state;

test('saving a setup writes the config and an owner-only token, starts the connector and records calls', async (t) => {
  const fx = await startTestHub(t);
  const baseDir = tempDir(t);
  const controller = await controllerFor(t, baseDir, fx.hub.wsUrl);
  const token = fx.mint('demo');
  const input: SetupInput = {
    environment: 'demo',
    token,
    network: { platformUrl: fx.hub.wsUrl, proxyMode: 'system' },
    patientLookup: { type: 'demo' },
    consentStore: null,
    startAtLogin: false,
  };
  const saved = await controller.handlers['setup.save'](input);
  assert.deepEqual(saved, { ok: true, field: null, message: 'Demo is set up and starting.' });
  await waitFor(controller, (s) => demoState(s) === 'connected');

  const configText = readFileSync(path.join(baseDir, 'demo', 'connector.json'), 'utf8');
  assert.ok(!configText.includes(token), 'the token is not in the config file');
  assert.equal(JSON.parse(configText).patientLookup.type, 'demo');
  // Windows has no POSIX modes (the app's token is protected by safeStorage there).
  if (process.platform !== 'win32') assert.equal(statSync(path.join(baseDir, 'demo', 'token')).mode & 0o777, 0o600);
  assert.equal(controller.status().startAtLogin, false);

  const view = await controller.handlers['setup.get']({ environment: 'demo' });
  assert.equal(view.exists, true);
  assert.deepEqual(view.token, { saved: true, masked: `cc_demo_…${token.slice(-4)}` });
  assert.ok(!JSON.stringify(view).includes(token));

  const patient = demoDirectory().at(5);
  assert.equal((await fx.call('patient.lookup', { identificationNumber: patient.localIdentifier })).status, 200);
  assert.equal((await fx.call('patient.lookup', { identificationNumber: 42 })).status, 400);
  let recent = await controller.handlers['calls.recent']({ limit: 50 });
  for (let i = 0; i < 50 && recent.calls.length < 2; i++) {
    await new Promise((r) => setTimeout(r, 100));
    recent = await controller.handlers['calls.recent']({ limit: 50 });
  }
  assert.equal(recent.calls.length, 2);
  assert.deepEqual(recent.counts, { lookups: 2, documents: 0, errors: 1 });
  assert.deepEqual(
    recent.calls.map((c) => [c.method, c.outcome, c.reason]),
    [
      ['patient.lookup', 'error', 'invalid_params'],
      ['patient.lookup', 'ok', null],
    ],
  );
  assert.ok(existsSync(path.join(baseDir, 'demo', 'data', 'demo', 'audit.sqlite')), 'calls come from the audit log');
  const text = JSON.stringify(recent);
  for (const v of [patient.localIdentifier, patient.nationalIdentifier, patient.familyName])
    assert.ok(v && !text.includes(v));

  const { text: diagnostics } = await controller.handlers['diagnostics.copy']({});
  assert.match(diagnostics, /\[Demo\]\nstate: connected \(green\)/);
  assert.match(diagnostics, /patient\.lookup invalid_params: 1/);
  assert.ok(!diagnostics.includes(token) && !diagnostics.includes(token.slice(8, 30)), 'no token in diagnostics');
  assert.ok(!diagnostics.includes(patient.localIdentifier));
});

test('nothing is saved when the setup is refused: wrong token, bad address, missing token', async (t) => {
  const fx = await startTestHub(t);
  const baseDir = tempDir(t);
  const controller = await controllerFor(t, baseDir, fx.hub.wsUrl);
  const base = {
    environment: 'demo' as const,
    network: { platformUrl: fx.hub.wsUrl, proxyMode: 'system' as const },
    patientLookup: { type: 'demo' },
    consentStore: null,
    startAtLogin: true,
  };
  const missing = await controller.handlers['setup.save'](base);
  assert.deepEqual(missing, { ok: false, field: 'token', message: 'Paste the connection token first.' });

  const production = fx.mint('production');
  const wrong = await controller.handlers['setup.save']({ ...base, token: production });
  assert.equal(wrong.ok, false);
  assert.equal(wrong.message, 'This token is not for Demo. Paste a token created for Demo.');

  const badUrl = await controller.handlers['setup.save']({
    ...base,
    token: fx.mint('demo'),
    network: { platformUrl: 'http://platform.example.com/connector', proxyMode: 'system' },
  });
  assert.equal(badUrl.ok, false);
  assert.equal(badUrl.field, 'platformUrl');
  assert.match(badUrl.message, /^platformUrl: must start with wss:\/\//);

  const proxy = await controller.handlers['setup.save']({
    ...base,
    token: fx.mint('demo'),
    network: { platformUrl: fx.hub.wsUrl, proxyMode: 'manual' },
  });
  assert.equal(proxy.field, 'network.proxyUrl');

  const lookup = await controller.handlers['setup.save']({
    ...base,
    token: fx.mint('demo'),
    patientLookup: { type: 'fhir' },
  });
  assert.equal(lookup.ok, false);
  assert.match(lookup.field ?? '', /^patientLookup/);

  assert.equal(existsSync(path.join(baseDir, 'demo', 'connector.json')), false);
  assert.equal(existsSync(path.join(baseDir, 'demo', 'token')), false);
  assert.equal(demoState(controller.status()), 'not_set_up');
});

test('a second save keeps the saved token and the keys the wizard does not show; pause survives a restart', async (t) => {
  const fx = await startTestHub(t);
  const baseDir = tempDir(t);
  const first = await controllerFor(t, baseDir, fx.hub.wsUrl);
  const input: SetupInput = {
    environment: 'demo',
    token: fx.mint('demo'),
    network: { platformUrl: fx.hub.wsUrl, proxyMode: 'system' },
    patientLookup: { type: 'demo' },
    consentStore: null,
    startAtLogin: true,
  };
  assert.equal((await first.handlers['setup.save'](input)).ok, true);
  await waitFor(first, (s) => demoState(s) === 'connected');
  const { token: _t, ...withoutToken } = input;
  assert.equal(
    (await first.handlers['setup.save']({ ...withoutToken, patientLookup: { type: 'demo', latencyMs: 5 } })).ok,
    true,
  );
  const config = JSON.parse(readFileSync(path.join(baseDir, 'demo', 'connector.json'), 'utf8'));
  assert.equal(config.patientLookup.latencyMs, 5);
  assert.deepEqual(config.timers, FAST_TIMERS, 'keys outside the wizard are kept');
  await waitFor(first, (s) => demoState(s) === 'connected');

  await first.handlers['connector.setPaused']({ paused: true });
  assert.equal(demoState(first.status()), 'paused');
  await first.close();

  const second = await controllerFor(t, baseDir, fx.hub.wsUrl);
  assert.equal(demoState(second.status()), 'paused', 'still paused after a restart');
  await second.handlers['connector.setPaused']({ paused: false });
  await waitFor(second, (s) => demoState(s) === 'connected');
});

test('Test connection reports each outcome in plain words', async (t) => {
  const fx = await startTestHub(t);
  const baseDir = tempDir(t);
  const controller = await controllerFor(t, baseDir, fx.hub.wsUrl);
  const network = { platformUrl: fx.hub.wsUrl, proxyMode: 'system' as const };
  const test = (token: string | undefined, net = network) =>
    controller.handlers['setup.testPlatform']({ environment: 'demo', ...(token ? { token } : {}), network: net });

  const ok = await test(fx.mint('demo', 'st-mary'));
  assert.equal(ok.outcome, 'connected');
  assert.equal(ok.message, `Connected to 127.0.0.1:${fx.hub.port} as st-mary.`);

  const rejected = await test(`cc_demo_${'z'.repeat(43)}`);
  assert.equal(rejected.outcome, 'rejected');
  assert.equal(
    rejected.message,
    'The token was not accepted. Check you copied all of it, or ask your platform contact for a new one.',
  );

  const other = await test(fx.mint('production'));
  assert.equal(other.outcome, 'wrong_environment');
  assert.match(other.detail, /nothing was sent/);

  const malformed = await test('hello');
  assert.equal(malformed.outcome, 'invalid');

  const none = await test(undefined);
  assert.equal(none.message, 'Paste the connection token first.');

  const closed = await test(fx.mint('demo'), { platformUrl: 'ws://127.0.0.1:9/connector/v1', proxyMode: 'system' });
  assert.equal(closed.outcome, 'unreachable');
  assert.match(closed.message, /^Cannot reach the platform\. Check this computer is online/);
  assert.match(closed.detail, /ECONNREFUSED|refused/i, 'the technical cause stays on the second line');
  assert.doesNotMatch(closed.message, /ECONN/);
});

test('Test lookup and Test (store) answer in words, and touch nothing', async (t) => {
  const baseDir = tempDir(t);
  const controller = await controllerFor(t, baseDir, 'ws://127.0.0.1:9/connector/v1');
  const patient = demoDirectory().at(7);
  const found = await controller.handlers['setup.testLookup']({
    environment: 'demo',
    patientLookup: { type: 'demo' },
    identifier: ` ${patient.nationalIdentifier} `,
  });
  assert.equal(found.outcome, 'found');
  assert.equal(found.patient?.localIdentifier, patient.localIdentifier);
  const missing = await controller.handlers['setup.testLookup']({
    environment: 'demo',
    patientLookup: { type: 'demo' },
    identifier: 'nobody',
  });
  assert.deepEqual([missing.outcome, missing.patient], ['not_found', null]);
  await assert.rejects(
    controller.handlers['setup.testLookup']({
      environment: 'demo',
      patientLookup: { type: 'demo', size: 'big' },
      identifier: 'x',
    }),
    /Check the form: patientLookup\.size/,
  );

  const nowhere = path.join(baseDir, 'no-such-folder');
  const store = await controller.handlers['setup.testStore']({
    environment: 'demo',
    consentStore: { type: 'folder', path: nowhere },
  });
  assert.equal(store.ok, false);
  assert.equal(
    store.message,
    `Could not write a test file in ${nowhere}: the folder does not exist. Check the path and its permissions.`,
  );
  assert.equal(existsSync(path.join(baseDir, 'demo', 'connector.json')), false, 'tests save nothing');
});
