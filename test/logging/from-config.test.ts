import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfigFile } from '../../src/main/config/load-config.js';
import { configuredSecrets, logDirFor, processLoggerFor } from '../../src/main/logging/from-config.js';
import { tempDir } from '../helpers/temp-dir.js';

test('secrets the config refers to are found: files and variables under secret keys, header values', (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'db-password'), 'pa55-from-file\n');
  writeFileSync(path.join(dir, 'patients.db'), 'not a secret');
  process.env.CC_TEST_CLIENT_SECRET = 'client-secret-from-env';
  t.after(() => {
    delete process.env.CC_TEST_CLIENT_SECRET;
  });
  const found = configuredSecrets(
    {
      patientLookup: {
        type: 'sql',
        connection: { file: 'patients.db' },
        password: { file: 'db-password' },
        auth: { type: 'oauth2', clientSecret: { env: 'CC_TEST_CLIENT_SECRET' }, token: { env: 'CC_UNSET_VAR' } },
        headers: { 'Ocp-Apim-Subscription-Key': 'gateway-key-123' },
      },
    },
    dir,
  );
  assert.deepEqual(found.sort(), ['client-secret-from-env', 'gateway-key-123', 'pa55-from-file']);
});

test('the process logger from a config: its folder and level, and the token masked', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'connector.json');
  writeFileSync(
    file,
    JSON.stringify({
      environment: 'demo',
      platformUrl: 'ws://127.0.0.1:1/connector/v1',
      logs: { level: 'warn', dir: 'my-logs', maxSizeMb: 1, keep: 2 },
    }),
  );
  const loaded = loadConfigFile(file);
  assert.equal(logDirFor(loaded), path.join(dir, 'my-logs'));
  const token = 'cc_demo_AbCdEfGhIjKlMnOpQrStUvWx';
  const logger = processLoggerFor(loaded, { token });
  assert.equal(path.dirname(logger.file), path.join(dir, 'my-logs'));
  logger.info('below the configured level');
  logger.warn('hello refused', { detail: `sent ${token.slice(0, 20)}… then ${token}` });
  const text = readFileSync(logger.file, 'utf8');
  assert.ok(!text.includes('below the configured level'));
  assert.ok(!text.includes(token.slice(8)), 'token leaked');
  assert.match(text, /WARN {2}hello refused/);

  const defaults = loadConfigFile(file);
  (defaults.config as { logs?: unknown }).logs = undefined;
  assert.equal(logDirFor(defaults), path.join(defaults.dataDir, 'logs'));
});
