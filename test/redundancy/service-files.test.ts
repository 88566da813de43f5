// The service files in deploy/ must match what the program does: the stop timeout covers the
// drain, the exit code that means "config error" is the one the CLI returns, and systemd accepts
// the unit (when systemd-analyze is on this machine).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DRAIN_GRACE_MS } from '../../src/shared/protocol/index.js';
import { cliCommand, REPO_ROOT } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

function unitKeys(file: string): Map<string, string> {
  const keys = new Map<string, string>();
  const text = readFileSync(path.join(REPO_ROOT, 'deploy', file), 'utf8').replace(/\\\n\s*/g, ' ');
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) keys.set(m[1] as string, m[2] as string);
  }
  return keys;
}

function seconds(value: string | undefined): number {
  const m = /^(\d+)\s*(s|sec)?$/.exec(value ?? '');
  return m ? Number(m[1]) : Number.NaN;
}

test('the systemd units restart on failure, run as their own user and outlast the drain on stop', () => {
  for (const file of ['cloud-connector.service', 'cloud-connector-hub.service']) {
    const unit = unitKeys(file);
    assert.equal(unit.get('Restart'), 'on-failure', file);
    assert.ok(unit.get('User') && unit.get('User') !== 'root', `${file} runs as its own user`);
    assert.equal(unit.get('KillSignal'), 'SIGTERM', file);
    assert.ok(seconds(unit.get('TimeoutStopSec')) * 1000 > DRAIN_GRACE_MS, `${file} waits longer than the drain`);
  }
  const connector = unitKeys('cloud-connector.service');
  assert.match(connector.get('ExecStart') ?? '', / service --data-dir \/var\/lib\/cloud-connector$/);
  assert.equal(connector.get('StateDirectory'), 'cloud-connector');
  // The mode `cloud-connector service` gives its data folder, so neither undoes the other.
  assert.equal(connector.get('StateDirectoryMode'), '0711');
  const hub = unitKeys('cloud-connector-hub.service');
  assert.match(hub.get('ExecStart') ?? '', / hub .*--tokens .*--api-key-file .*--alert-after-s \d+/);
});

test('RestartPreventExitStatus=2 is the exit code the CLI gives a usage or config error', (t) => {
  const prevented = unitKeys('cloud-connector.service').get('RestartPreventExitStatus');
  const usage = spawnSync(process.execPath, [...cliCommand('tsx'), 'service', '--port', 'nope'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 30_000,
  });
  assert.equal(String(usage.status), prevented, usage.stderr);
  assert.match(usage.stderr, /--port/, 'the error names the option');
  const dir = tempDir(t);
  const config = path.join(dir, 'connector.json');
  writeFileSync(
    config,
    JSON.stringify({ environment: 'demo', platformUrl: 'ws://127.0.0.1:1/connector/v1', bogus: 1 }),
  );
  const result = spawnSync(process.execPath, [...cliCommand('tsx'), 'run', '--config', config], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 30_000,
  });
  assert.equal(String(result.status), prevented, result.stderr);
  assert.match(result.stderr, /bogus/, 'the error names the key');
});

const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;

test('systemd-analyze verify accepts both units', { skip: !analyze && 'systemd-analyze is not installed' }, () => {
  for (const file of ['cloud-connector.service', 'cloud-connector-hub.service']) {
    const result = spawnSync('systemd-analyze', ['verify', path.join(REPO_ROOT, 'deploy', file)], { encoding: 'utf8' });
    // A machine without Node.js at /usr/bin/node (where the unit expects it) is not the unit's fault.
    const problems = `${result.stdout}${result.stderr}`
      .split('\n')
      .filter((l) => l.trim() && !/Command \/usr\/bin\/node is not executable/.test(l));
    assert.deepEqual(problems, [], file);
  }
});
