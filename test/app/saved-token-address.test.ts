// The saved token goes only to the saved platform address. With no token pasted, a different
// address typed in the wizard (a typo, or one planted by someone) is refused before anything is
// sent, and the person is asked to paste the token again.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { AppController } from '../../src/main/controller/app-controller.js';
import { FileSecretStore } from '../../src/main/controller/secret-store.js';
import { FAST_TIMERS } from '../helpers/connector-fixture.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

test('without a pasted token, a changed platform address is refused by Test connection and by Save', async (t) => {
  const fx = await startTestHub(t);
  const baseDir = tempDir(t);
  const controller = await AppController.create({
    baseDir,
    secrets: new FileSecretStore(baseDir),
    platformUrls: { demo: fx.hub.wsUrl, production: fx.hub.wsUrl },
    logsDir: path.join(baseDir, 'logs'),
    configExtras: { timers: FAST_TIMERS },
    probeTimeoutMs: 3_000,
  });
  t.after(() => controller.close());
  const token = fx.mint('demo');
  const base = {
    environment: 'demo' as const,
    patientLookup: { type: 'demo' },
    consentStore: null,
    startAtLogin: false,
  };
  const saved = { platformUrl: fx.hub.wsUrl, proxyMode: 'system' as const };
  assert.equal((await controller.handlers['setup.save']({ ...base, token, network: saved })).ok, true);

  // Somewhere else that would happily read whatever is sent to it.
  const received: Buffer[] = [];
  const elsewhere = createServer((socket) => socket.on('data', (d) => received.push(d)));
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => elsewhere.close(() => resolve())));
  const port = (elsewhere.address() as { port: number }).port;
  const moved = { platformUrl: `ws://127.0.0.1:${port}/connector/v1`, proxyMode: 'system' as const };

  const probe = await controller.handlers['setup.testPlatform']({ environment: 'demo', network: moved });
  assert.equal(probe.outcome, 'invalid');
  assert.match(probe.message, /Paste the connection token again/);
  const save = await controller.handlers['setup.save']({ ...base, network: moved });
  assert.deepEqual([save.ok, save.field], [false, 'token']);
  assert.match(save.message, /Paste the connection token again/);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(Buffer.concat(received).length, 0, 'nothing was sent to the other address');

  // The saved address still works without pasting; a pasted token may go anywhere it is told.
  assert.equal(
    (await controller.handlers['setup.testPlatform']({ environment: 'demo', network: saved })).outcome,
    'connected',
  );
  assert.equal((await controller.handlers['setup.save']({ ...base, network: saved })).ok, true);
  const pasted = await controller.handlers['setup.testPlatform']({ environment: 'demo', token, network: moved });
  assert.notEqual(pasted.outcome, 'invalid');
});
