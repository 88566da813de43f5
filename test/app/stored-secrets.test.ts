// A secret typed in the wizard survives a restart of the app: the new controller reads it from the
// secret store (here safeStorage with Electron 45's asynchronous API) before it builds the patient
// source, which needs it at once. Checked end to end: a lookup through the hub reaches a web API
// that answers only with that token.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { SafeStorageSecretStore } from '../../src/main/app/safe-storage-secret-store.js';
import { AppController } from '../../src/main/controller/app-controller.js';
import type { AppStatus } from '../../src/shared/ipc/status.js';
import { FAST_TIMERS } from '../helpers/connector-fixture.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOKEN = 'Api-Token-Only-In-The-Store-31';

/** Asynchronous only, as Electron 45's safeStorage prefers: nothing can be decrypted synchronously. */
const asyncOnlySafeStorage = {
  isEncryptionAvailable: () => true,
  encryptString: (): Buffer => {
    throw new Error('the synchronous API is not used');
  },
  decryptString: (): string => {
    throw new Error('the synchronous API is not used');
  },
  isAsyncEncryptionAvailable: async () => true,
  encryptStringAsync: async (s: string) => Buffer.from(`async:${Buffer.from(s).toString('base64')}`),
  decryptStringAsync: async (b: Buffer) => ({
    result: Buffer.from(b.toString().slice(6), 'base64').toString(),
    shouldReEncrypt: false,
  }),
};

async function connected(controller: AppController): Promise<void> {
  const isUp = (s: AppStatus) => s.environments.find((e) => e.environment === 'demo')?.state === 'connected';
  while (!isUp(controller.status())) await once(controller, 'status');
}

test(
  'a wizard secret kept by an asynchronous safeStorage is there again after a restart',
  { timeout: 60_000 },
  async (t) => {
    const api = http.createServer((req, res) => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end();
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ mrn: 'W1', given: 'Robin', family: 'Marsh', dob: '1981-07-04', sex: 'F', test: true }));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    t.after(() => api.close());
    const fx = await startTestHub(t);
    const baseDir = tempDir(t);
    const start = () =>
      AppController.create({
        baseDir,
        secrets: new SafeStorageSecretStore(baseDir, asyncOnlySafeStorage, 'win32'),
        platformUrls: { demo: fx.hub.wsUrl, production: fx.hub.wsUrl },
        logsDir: path.join(baseDir, 'logs'),
        configExtras: { timers: FAST_TIMERS },
      });
    const first = await start();
    const saved = await first.handlers['setup.save']({
      environment: 'demo',
      token: fx.mint('demo'),
      network: { platformUrl: fx.hub.wsUrl, proxyMode: 'system' },
      patientLookup: {
        type: 'http',
        url: `http://127.0.0.1:${(api.address() as AddressInfo).port}/patients/{id}`,
        fields: {
          localIdentifier: '$.mrn',
          firstName: '$.given',
          familyName: '$.family',
          dateOfBirth: '$.dob',
          gender: '$.sex',
          isTestPatient: '$.test',
        },
        auth: { type: 'bearer' },
      },
      consentStore: null,
      secrets: { 'patientLookup.auth.token': TOKEN },
      startAtLogin: false,
    });
    assert.equal(saved.ok, true, saved.message);
    assert.ok(!readFileSync(path.join(baseDir, 'demo', 'connector.json'), 'utf8').includes(TOKEN));
    await connected(first);
    assert.equal((await fx.call('patient.lookup', { identificationNumber: 'w1' })).status, 200);
    await first.close();

    const second = await start();
    t.after(() => second.close());
    await connected(second);
    const answer = await fx.call('patient.lookup', { identificationNumber: 'w1' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.result.patient.familyName, 'Marsh');
  },
);
