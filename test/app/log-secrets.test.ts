// The app's process logger starts before any setup is known; once an environment starts, its
// token and every secret its config references must be masked in the log like in `run`.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AppController } from '../../src/main/controller/app-controller.js';
import { FileSecretStore } from '../../src/main/controller/secret-store.js';
import { createProcessLogger } from '../../src/main/logging/process-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

test('starting an environment hands its token and configured secrets to the app log', async (t) => {
  const baseDir = tempDir(t);
  const dir = path.join(baseDir, 'demo');
  mkdirSync(dir, { recursive: true });
  const headerKey = 'gw-subscription-9f8e7d6c';
  const filePassword = 'fhir-basic-pw-5a4b3c2d';
  const proxyPassword = 'proxy-pw-1q2w3e4r';
  writeFileSync(path.join(dir, 'fhir-password.txt'), `${filePassword}\n`);
  writeFileSync(
    path.join(dir, 'connector.json'),
    JSON.stringify({
      environment: 'demo',
      platformUrl: 'ws://127.0.0.1:9/connector',
      proxy: `http://clinic:${proxyPassword}@127.0.0.1:9`,
      patientLookup: {
        type: 'fhir',
        baseUrl: 'http://127.0.0.1:9/fhir',
        identifierSystems: { local: 'https://example.test/id' },
        auth: { type: 'basic', username: 'clinic', password: { file: 'fhir-password.txt' } },
        headers: { 'Ocp-Apim-Subscription-Key': headerKey },
      },
    }),
  );
  const secrets = new FileSecretStore(baseDir);
  const token = 'cc_demo_Zq3xY8vN1pLm4kT7wR2sJ6hFabcd';
  await secrets.write('demo', token);

  const logger = createProcessLogger({ dir: path.join(baseDir, 'logs'), fileName: 'app.log' });
  const controller = await AppController.create({
    baseDir,
    secrets,
    platformUrls: { demo: 'ws://127.0.0.1:9', production: 'ws://127.0.0.1:9' },
    logsDir: path.join(baseDir, 'logs'),
    logger,
    sourceCheckMs: 60_000,
  });
  t.after(() => controller.close());
  await controller.setPaused('demo', true);

  // Anything that ends up quoting a secret in free text (an error message, a library's words).
  logger.warn(`upstream said: key ${headerKey} / pw ${filePassword} / proxy ${proxyPassword} / ${token}`);
  const text = readFileSync(logger.file, 'utf8');
  for (const secret of [headerKey, filePassword, proxyPassword, token]) {
    assert.ok(!text.includes(secret), `${secret} reached the log`);
  }
  assert.match(text, /upstream said/);
});
