// `token new`, `check` and config errors through the real CLI.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { hashToken } from '../../src/hub/tokens-file.js';
import { parsePastedToken } from '../../src/shared/ipc/token-format.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

test('token new prints a token once and stores only its hash', async (t) => {
  const dir = tempDir(t);
  const tokens = path.join(dir, 'tokens.jsonl');
  const res = await runCli(['token', 'new', '--tenant', 'acme', '--environment', 'production', '--tokens', tokens]);
  assert.equal(res.code, 0, res.stderr);
  const token = res.stdout.trim();
  assert.match(token, /^cc_production_[A-Za-z0-9_-]{43}$/);
  const stored = readFileSync(tokens, 'utf8');
  assert.ok(!stored.includes(token));
  assert.equal(JSON.parse(stored).sha256, hashToken(token));
  assert.equal(JSON.parse(stored).environment, 'production');
});

test('token new --address prints the token with its platform address, which the set-up reads back', async (t) => {
  const dir = tempDir(t);
  const tokens = path.join(dir, 'tokens.jsonl');
  const args = ['token', 'new', '--tenant', 'acme', '--environment', 'production', '--tokens', tokens];
  const res = await runCli([...args, '--address', 'platform.example.com']);
  assert.equal(res.code, 0, res.stderr);
  const printed = res.stdout.trim();
  assert.match(printed, /^cc_production_[A-Za-z0-9_-]{43}@platform\.example\.com$/);
  const parsed = parsePastedToken(printed);
  assert.ok(parsed.ok && parsed.address);
  assert.equal(parsed.address.platformUrl, 'wss://platform.example.com/connector/v1');
  assert.equal(
    JSON.parse(readFileSync(tokens, 'utf8')).sha256,
    hashToken(parsed.token),
    'the hash is of the token alone',
  );
  const ported = await runCli([...args, '--address', 'wss://platform.example.com:8443/connector/v1']);
  assert.match(ported.stdout.trim(), /@platform\.example\.com:8443$/);
  const bad = await runCli([...args, '--address', 'not a host']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--address must be the platform's host name/);
  assert.equal(readFileSync(tokens, 'utf8').trim().split('\n').length, 2, 'no token minted for a bad address');
});

test('check reports the platform and sources in plain words, exit 0 / 1', async (t) => {
  const fx = await startTestHub(t);
  const dir = tempDir(t);
  const config = path.join(dir, 'connector.json');
  writeFileSync(
    config,
    JSON.stringify({
      environment: 'demo',
      platformUrl: fx.hub.wsUrl,
      tokenFile: 'token',
      patientLookup: { type: 'demo' },
    }),
  );
  const good = fx.mint();
  writeFileSync(path.join(dir, 'token'), good, { mode: 0o600 });
  const ok = await runCli(['check', '--config', config]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /Connected to the platform as acme/);
  assert.match(ok.stdout, /Patient lookup source \(demo\): reachable/);
  assert.ok(!`${ok.stdout}${ok.stderr}`.includes(good));

  writeFileSync(path.join(dir, 'token'), 'cc_demo_notIssuedByThisHub_0123456789abcdef', { mode: 0o600 });
  const rejected = await runCli(['check', '--config', config]);
  assert.equal(rejected.code, 1);
  assert.match(rejected.stdout, /rejected the token/);
});

test('a token file holding the token with its address: used when the address is platformUrl, refused when not', async (t) => {
  const fx = await startTestHub(t);
  const dir = tempDir(t);
  const config = path.join(dir, 'connector.json');
  writeFileSync(
    config,
    JSON.stringify({
      environment: 'demo',
      platformUrl: fx.hub.wsUrl,
      tokenFile: 'token',
      patientLookup: { type: 'demo' },
    }),
  );
  const good = fx.mint();
  writeFileSync(path.join(dir, 'token'), `${good}@${fx.hub.wsUrl}`, { mode: 0o600 });
  const ok = await runCli(['check', '--config', config]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /Connected to the platform as acme/);

  writeFileSync(path.join(dir, 'token'), `${good}@ws://127.0.0.1:9/connector/v1`, { mode: 0o600 });
  const elsewhere = await runCli(['check', '--config', config]);
  assert.equal(elsewhere.code, 2);
  assert.match(
    elsewhere.stderr + elsewhere.stdout,
    /The token is for the platform at 127\.0\.0\.1:9, but platformUrl is 127\.0\.0\.1:\d+/,
  );
  assert.ok(!`${elsewhere.stdout}${elsewhere.stderr}`.includes(good));
});

test('a config error exits 2 and names the key', async (t) => {
  const dir = tempDir(t);
  const config = path.join(dir, 'connector.json');
  writeFileSync(
    config,
    JSON.stringify({ environment: 'demo', platformUrl: 'ws://127.0.0.1:1/connector/v1', maxConcurency: 3 }),
  );
  const res = await runCli(['run', '--config', config]);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /maxConcurency: unknown key/);
  const missing = await runCli(['run']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /Missing --config/);
});
