// Cluster mode's command line and deploy files: wrong options are refused before anything starts
// (exit 2, a message naming the option), HAProxy accepts deploy/haproxy-hub.cfg, and the systemd
// template unit passes only options the hub knows and waits longer than the hub takes to leave.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CLUSTER_TIMINGS } from '../../src/hub/cluster/cluster-options.js';
import { DRAIN_GRACE_MS } from '../../src/shared/protocol/index.js';
import { REPO_ROOT } from '../helpers/processes.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { testPki } from '../helpers/tls.js';
import { binaryPath } from './harness.js';

test('cluster options are checked before the hub starts', async (t) => {
  const dir = tempDir(t);
  const keys = path.join(dir, 'keys');
  const tokens = path.join(dir, 'tokens.jsonl');
  const goodSecret = path.join(dir, 'secret');
  const shortSecret = path.join(dir, 'short');
  const openSecret = path.join(dir, 'open');
  writeFileSync(keys, 'some-api-key-0123456789\n', { mode: 0o600 });
  writeFileSync(tokens, '', { mode: 0o600 });
  writeFileSync(goodSecret, `${'s'.repeat(40)}\n`, { mode: 0o600 });
  writeFileSync(shortSecret, 'short\n', { mode: 0o600 });
  writeFileSync(openSecret, `${'s'.repeat(40)}\n`, { mode: 0o644 });
  const base = ['hub', '--port', '0', '--tokens', tokens, '--api-key-file', keys];
  const cases: Array<[string[], RegExp]> = [
    [['--advertise', 'http://10.0.0.1:8443'], /--advertise only applies with --redis/],
    [['--redis', 'http://127.0.0.1:6379'], /--redis must start with redis:\/\//],
    [['--redis', 'redis://127.0.0.1:6379/0'], /--redis needs --cluster-secret-file/],
    [['--redis', 'redis://127.0.0.1:6379', '--cluster-secret-file', shortSecret], /at least 32 characters/],
    [['--redis', 'redis://127.0.0.1:6379', '--cluster-secret-file', openSecret], /owner only/],
    [
      ['--redis', 'redis://127.0.0.1:6379', '--cluster-secret-file', goodSecret, '--advertise', 'ftp://x'],
      /--advertise must be an http/,
    ],
    [['--redis', 'redis://127.0.0.1:6379', '--cluster-secret-file', goodSecret, '--lease-s', '0'], /--lease-s must be/],
  ];
  for (const [extra, message] of cases) {
    const result = await runCli([...base, ...extra]);
    assert.equal(result.code, 2, `${extra.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.ok(!result.stderr.includes('s'.repeat(40)), 'the secret is never printed');
  }
});

const haproxy = binaryPath('haproxy');

test(
  'HAProxy accepts deploy/haproxy-hub.cfg (checks /readyz, denies /cluster/)',
  { skip: haproxy ? false : 'haproxy not installed' },
  async (t) => {
    const dir = tempDir(t);
    const pki = await testPki();
    const pem = path.join(dir, 'platform.pem');
    const ca = path.join(dir, 'hub-ca.pem');
    writeFileSync(pem, `${pki.serverCert}\n${pki.serverKey}\n`);
    writeFileSync(ca, pki.caCert);
    const original = readFileSync(path.join(REPO_ROOT, 'deploy/haproxy-hub.cfg'), 'utf8');
    assert.match(original, /option httpchk GET \/readyz/);
    assert.match(original, /http-request deny .* if \{ path_beg \/cluster\/ \}/);
    assert.equal((original.match(/^\s+server hub\d /gm) ?? []).length, 3);
    const config = original
      .replaceAll('/etc/haproxy/platform.pem', pem)
      .replaceAll('/etc/haproxy/hub-ca.pem', ca)
      .replace('bind :443', 'bind 127.0.0.1:18443');
    const file = path.join(dir, 'haproxy.cfg');
    writeFileSync(file, config);
    const check = spawnSync(haproxy as string, ['-c', '-f', file], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr + check.stdout);
  },
);

test('the template unit passes only options the hub knows, and outlasts its leaving', async () => {
  const text = readFileSync(path.join(REPO_ROOT, 'deploy/cloud-connector-hub@.service'), 'utf8').replace(
    /\\\n\s*/g,
    ' ',
  );
  const key = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(text)?.[1] ?? '';
  assert.equal(key('Restart'), 'on-failure');
  assert.equal(key('KillSignal'), 'SIGTERM');
  assert.notEqual(key('User'), 'root');
  const leavingMs = DEFAULT_CLUSTER_TIMINGS.notReadyLeadMs + DEFAULT_CLUSTER_TIMINGS.goawaySpreadMs + DRAIN_GRACE_MS;
  assert.ok(Number.parseInt(key('TimeoutStopSec'), 10) * 1000 > leavingMs);
  const flags = [...key('ExecStart').matchAll(/\s(--[a-z-]+)/g)].map((m) => m[1] as string);
  assert.ok(flags.includes('--redis') && flags.includes('--cluster-secret-file') && flags.includes('--advertise'));
  const usage = (await runCli(['hub', '--no-such-option'])).stderr;
  for (const flag of flags)
    assert.ok(usage.includes(`${flag} `) || usage.includes(`${flag}]`), `the hub knows ${flag}`);
});
