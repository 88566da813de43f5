// Config errors name the key and say what is expected; paths resolve against the config file.
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../src/main/config/config-error.js';
import { loadConfigFile, parseConfig } from '../../src/main/config/load-config.js';
import { readToken } from '../../src/main/config/token.js';
import { tempDir } from '../helpers/temp-dir.js';

const base = { environment: 'demo', platformUrl: 'wss://platform.example/connector/v1' };

function errorOf(json: unknown): string {
  try {
    parseConfig(json);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('expected a config error');
}

test('an unknown key is named, at the top level and inside a section', () => {
  assert.match(errorOf({ ...base, platfromUrl: 'x' }), /platfromUrl: unknown key/);
  assert.match(
    errorOf({ ...base, patientLookup: { type: 'demo', latncyMs: 5 } }),
    /patientLookup\.latncyMs: unknown key/,
  );
  assert.match(errorOf({ ...base, timers: { pingMs: 5 } }), /timers\.pingMs: unknown key/);
});

test('a bad value names the key and what is expected', () => {
  assert.match(errorOf({ ...base, environment: 'staging' }), /environment: expected one of "demo", "production"/);
  assert.match(errorOf({ ...base, maxConcurrency: 'many' }), /maxConcurrency: expected number/);
  assert.match(errorOf({ ...base, maxConcurrency: 0 }), /maxConcurrency: must be at least 1/);
  assert.match(errorOf({ environment: 'demo' }), /platformUrl: is required/);
  assert.match(errorOf({ ...base, platformUrl: 'https://platform.example' }), /platformUrl/);
  assert.match(errorOf({ ...base, patientLookup: { type: 'oracle' } }), /patientLookup/);
});

test('paths are relative to the config file and the data folder defaults per environment', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'connector.json');
  writeFileSync(file, JSON.stringify({ ...base, tokenFile: 'secret/token', caFile: '../ca.pem' }));
  const loaded = loadConfigFile(file);
  assert.equal(loaded.tokenFile, path.join(dir, 'secret/token'));
  assert.equal(loaded.caFile, path.join(path.dirname(dir), 'ca.pem'));
  assert.equal(loaded.dataDir, path.join(dir, 'data', 'demo'));
});

test('a missing or broken file says so with its path', (t) => {
  const dir = tempDir(t);
  assert.throws(() => loadConfigFile(path.join(dir, 'nope.json')), /Config file not found/);
  writeFileSync(path.join(dir, 'bad.json'), '{ "environment": ');
  assert.throws(() => loadConfigFile(path.join(dir, 'bad.json')), /not valid JSON/);
});

test('the token file must be private, and its content never appears in an error', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'token');
  const token = 'cc_demo_privateTokenValue_0123456789abcdef';
  writeFileSync(file, `${token}\n`, { mode: 0o644 });
  chmodSync(file, 0o644);
  const env = {};
  // POSIX permissions only: on Windows (the release workflow runs test/core there) readToken does
  // not look at the mode, which chmod cannot express.
  if (process.platform !== 'win32') {
    assert.throws(
      () => readToken(file, env),
      (e: Error) => /chmod 600/.test(e.message) && !e.message.includes(token),
    );
  }
  chmodSync(file, 0o600);
  assert.equal(readToken(file, env), token);
  assert.equal(readToken(undefined, { CONNECTOR_TOKEN: ` ${token} ` }), token);
  assert.throws(() => readToken(undefined, {}), /CONNECTOR_TOKEN/);
});
