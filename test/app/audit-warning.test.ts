// An audit log that stops being writable must show in the status view straight away: the
// connector's state does not change (calls go on being answered), so only the audit writer's
// own 'status' event can tell the window.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { AuditWriter } from '../../src/main/audit/audit-writer.js';
import type { AuditDb } from '../../src/main/audit/open-db.js';
import { AppController } from '../../src/main/controller/app-controller.js';
import type { EnvironmentSlot } from '../../src/main/controller/environment-slot.js';
import { FileSecretStore } from '../../src/main/controller/secret-store.js';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import type { AppStatus } from '../../src/shared/ipc/status.js';
import { FAST_TIMERS } from '../helpers/connector-fixture.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

function nextStatus(controller: AppController, check: (s: AppStatus) => boolean, timeoutMs: number) {
  return new Promise<AppStatus>((resolve, reject) => {
    const timer = setTimeout(() => {
      controller.off('status', listener);
      reject(new Error('no status message said so'));
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

test('an audit log that cannot be written is announced to the status view at once', async (t) => {
  const fx = await startTestHub(t);
  const baseDir = tempDir(t);
  const controller = await AppController.create({
    baseDir,
    secrets: new FileSecretStore(baseDir),
    platformUrls: { demo: fx.hub.wsUrl, production: fx.hub.wsUrl },
    logsDir: path.join(baseDir, 'logs'),
    configExtras: { timers: FAST_TIMERS },
    sourceCheckMs: 60_000,
  });
  t.after(() => controller.close());
  const connected = nextStatus(controller, (s) => s.environments.some((e) => e.state === 'connected'), 10_000);
  const saved = await controller.handlers['setup.save']({
    environment: 'demo',
    token: fx.mint('demo'),
    network: { platformUrl: fx.hub.wsUrl, proxyMode: 'system' },
    patientLookup: { type: 'demo' },
    consentStore: null,
    startAtLogin: false,
  });
  assert.equal(saved.ok, true);
  await connected;
  assert.deepEqual(controller.status().warnings, []);

  // The test's stand-in for a disk that became read-only: the writer's own connection refuses writes.
  const slot = (controller as unknown as { slots: Map<string, EnvironmentSlot> }).slots.get('demo');
  const writer = slot?.runtime?.audit as AuditWriter;
  // (A quiet writer's store is on the main thread: audit-writer.ts.)
  (writer as unknown as { inline: { audit: AuditDb } }).inline.audit.db.pragma('query_only = ON');

  const warned = nextStatus(controller, (s) => s.warnings.some((w) => w.code === 'audit_unwritable'), 5_000);
  const lookup = await fx.call('patient.lookup', { identificationNumber: demoDirectory().at(1).localIdentifier });
  assert.equal(lookup.status, 200, 'the call is answered regardless');
  const status = await warned;
  assert.equal(status.environments.find((e) => e.environment === 'demo')?.state, 'connected');
});
