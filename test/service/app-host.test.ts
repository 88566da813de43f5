// What the app's main process does at start (attach to the service, or host in-process) and the
// move of its own set-up into a running service, as the elevated helper runs it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { AppController } from '../../src/main/controller/app-controller.js';
import { FileSecretStore } from '../../src/main/controller/secret-store.js';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { hostForApp, moveIntoService, moveOfferWords, setupsLeftInApp } from '../../src/main/service/app-host.js';
import { chooseHost, type Exec } from '../../src/main/service/attach-decision.js';
import { PosixFileProtection } from '../../src/main/service/data-folder.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { demoSetup, startService, waitForDemo } from './service-fixture.js';

const notInstalled: Exec = async () => ({ code: 1, stdout: '' });
const enabled: Exec = async () => ({ code: 0, stdout: 'enabled\n' });

test('no service installed: the app hosts the connector itself, as before', async (t) => {
  const fx = await startTestHub(t);
  const dir = tempDir(t, 'cc-host-');
  let created = 0;
  const host = await hostForApp({
    serviceDataDir: path.join(dir, 'no-service'),
    decide: (d) => chooseHost(d, 'linux', notInstalled),
    inProcess: async () => {
      created++;
      return AppController.create({
        baseDir: path.join(dir, 'app'),
        secrets: new FileSecretStore(path.join(dir, 'app')),
        platformUrls: { demo: fx.hub.wsUrl, production: fx.hub.wsUrl },
        logsDir: path.join(dir, 'logs'),
      });
    },
  });
  t.after(() => host.controller.close());
  assert.equal(host.mode, 'in-process');
  assert.equal(created, 1);
});

test(
  'a service installed and running: the app attaches, and its own set-up moves into the service',
  { timeout: 120_000 },
  async (t) => {
    const svc = await startService(t);
    const dir = tempDir(t, 'cc-host-');
    const appBase = path.join(dir, 'app');
    const appSecrets = new FileSecretStore(appBase);
    // A set-up the app made before the service was installed.
    const tray = await AppController.create({
      baseDir: appBase,
      secrets: appSecrets,
      platformUrls: { demo: svc.fx.hub.wsUrl, production: svc.fx.hub.wsUrl },
      logsDir: path.join(dir, 'logs'),
    });
    assert.equal((await tray.handlers['setup.save'](demoSetup(svc.fx, svc.fx.mint('demo')))).ok, true);
    await tray.close();

    const host = await hostForApp({
      serviceDataDir: svc.dataDir,
      decide: (d) => chooseHost(d, 'linux', enabled),
      inProcess: () => Promise.reject(new Error('must not host in-process beside a running service')),
    });
    t.after(() => host.controller.close());
    assert.equal(host.mode, 'service');
    assert.equal(host.controller.status().environments.find((e) => e.environment === 'demo')?.state, 'not_set_up');
    assert.deepEqual(setupsLeftInApp(appBase), ['demo'], 'the app knows it has a set-up to offer to move');
    assert.match(moveOfferWords(setupsLeftInApp(appBase)), /Move your set-up \(Demo\) into it\?/);

    const result = await moveIntoService({
      from: { baseDir: appBase, secrets: appSecrets },
      to: { dataDir: svc.dataDir, protection: new PosixFileProtection() },
      service: { stop: () => svc.handle.stop(45_000), start: () => svc.restart() },
    });
    assert.deepEqual(
      result.moved.map((m) => m.environment),
      ['demo'],
    );
    assert.deepEqual(setupsLeftInApp(appBase), []);
    // The attached app, never restarted, shows the moved set-up connected in the service.
    await waitForDemo(host.controller, 'connected', 30_000);
    const patient = demoDirectory().at(50);
    assert.equal((await svc.fx.call('patient.lookup', { identificationNumber: patient.localIdentifier })).status, 200);
  },
);
