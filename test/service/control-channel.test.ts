// The service as a child process: its data folder's permissions, a viewer and an admin attached
// over the control channel, what each may do, and how the channel treats anyone else.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { readKey } from '../../src/main/service/control-keys.js';
import { NEEDS_ADMIN_MESSAGE } from '../../src/main/service/control-server.js';
import { serviceFiles } from '../../src/main/service/data-folder.js';
import { dispatchIpc } from '../../src/shared/ipc/dispatch.js';
import { runCli } from '../helpers/run-cli.js';
import { demoSetup, startService, waitForDemo } from './service-fixture.js';

const mode = (file: string) => statSync(file).mode & 0o777;

test(
  'a viewer sees status but cannot change the set-up; an admin sets it up and lookups go through the hub',
  { timeout: 90_000 },
  async (t) => {
    const svc = await startService(t);
    const files = serviceFiles(svc.dataDir);
    assert.equal(mode(svc.dataDir), 0o711, 'the data folder: reachable by name, listable only by the service');
    assert.equal(mode(files.viewerKeyFile), 0o644, 'every local user may read the viewer key');
    assert.equal(mode(files.endpointFile), 0o644, 'and where the channel listens');
    assert.equal(mode(files.adminKeyFile), 0o600, 'the admin key: service account (and root) only');
    assert.equal(mode(files.logsDir), 0o700);

    const clipboard: string[] = [];
    const viewer = await svc.attach('viewer', { writeClipboard: (text) => clipboard.push(text) });
    const picked: string[] = [];
    const admin = await svc.attach('admin', {
      pickPath: async (kind) => {
        picked.push(kind);
        return '/srv/consents';
      },
    });
    assert.equal(viewer.link, 'connected');
    // "Browse…" opens this desktop's dialog, not the service's (it has none).
    assert.deepEqual(await admin.handlers['app.pickPath']({ kind: 'folder' }), { path: '/srv/consents' });
    assert.deepEqual(picked, ['folder']);
    assert.equal((await admin.handlers['setup.get']({ environment: 'demo' })).canPickPaths, true);
    assert.deepEqual(
      viewer.status().environments.map((e) => e.state),
      ['not_set_up', 'not_set_up'],
    );

    const token = svc.fx.mint('demo');
    const refused = await dispatchIpc(viewer.handlers, 'setup.save', demoSetup(svc.fx, token));
    assert.deepEqual(refused, { ok: false, error: { code: 'failed', message: NEEDS_ADMIN_MESSAGE } });
    const paused = await dispatchIpc(viewer.handlers, 'connector.setPaused', { paused: true });
    assert.equal(paused.ok, false, 'a viewer cannot pause');
    const setupView = await dispatchIpc(viewer.handlers, 'setup.get', { environment: 'demo' });
    assert.equal(setupView.ok, false, 'a viewer does not read the set-up');
    const day = await dispatchIpc(viewer.handlers, 'status.day', { environment: 'demo' });
    assert.equal(day.ok, true, 'a viewer sees the last 24 hours');
    assert.equal(existsSync(path.join(svc.dataDir, 'demo', 'connector.json')), false, 'nothing was written');

    const saved = await dispatchIpc(admin.handlers, 'setup.save', demoSetup(svc.fx, token));
    assert.deepEqual(saved, { ok: true, value: { ok: true, field: null, message: 'Demo is set up and starting.' } });
    await waitForDemo(viewer, 'connected');
    const tokenFile = path.join(svc.dataDir, 'demo', 'token');
    assert.equal(mode(tokenFile), 0o600, 'the token: only the service account');
    assert.equal(readFileSync(tokenFile, 'utf8').trim(), token);

    const patient = demoDirectory().at(4);
    const res = await svc.fx.call('patient.lookup', { identificationNumber: patient.localIdentifier });
    assert.equal(res.status, 200);
    assert.equal(res.body.result.patient.familyName, patient.familyName);

    const recent = await viewer.handlers['calls.recent']({ limit: 10 });
    assert.ok(
      recent.calls.some((c) => c.method === 'patient.lookup' && c.outcome === 'ok'),
      'the viewer sees the call',
    );
    const diagnostics = await viewer.handlers['diagnostics.copy']({});
    assert.match(diagnostics.text, /Demo/);
    assert.ok(!diagnostics.text.includes(token), 'diagnostics never carry the token');
    assert.deepEqual(clipboard, [diagnostics.text], 'copied on the desktop of whoever asked');

    const pausedByAdmin = await dispatchIpc(admin.handlers, 'connector.setPaused', { paused: true });
    assert.equal(pausedByAdmin.ok, true, 'the admin may pause');
    await waitForDemo(viewer, 'paused');
    assert.equal((await svc.fx.call('patient.lookup', { identificationNumber: patient.localIdentifier })).status, 503);
  },
);

test('the control channel refuses anyone without a key, web pages and other host names, and says nothing', async (t) => {
  const svc = await startService(t);
  const files = serviceFiles(svc.dataDir);
  const admin = readKey(files, 'admin') as string;
  const viewer = readKey(files, 'viewer') as string;
  const base = `http://127.0.0.1:${svc.port}`;
  const post = (headers: Record<string, string>, body = '{}', channel = 'status.get') =>
    fetch(`${base}/v1/ipc/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  const attempts: Record<string, string>[] = [
    {},
    { authorization: 'Bearer ' },
    { authorization: `Bearer ${viewer.slice(0, -1)}x` },
    { authorization: `Basic ${admin}` },
    { authorization: `Bearer ${admin}${admin}` },
  ];
  for (const headers of attempts) {
    const res = await post(headers);
    assert.equal(res.status, 401);
    assert.equal(await res.text(), '401 unauthorized\n', 'no status, no hint which part was wrong');
  }
  const fromPage = await post({ authorization: `Bearer ${admin}`, origin: 'http://evil.example' });
  assert.equal(fromPage.status, 403, 'a browser page is refused even with the key');
  // fetch() will not send another Host header; a plain request will, as a rebound page's would.
  const rebound = await new Promise<number>((resolve, reject) => {
    const req = http.request(`${base}/v1/hello`, {
      headers: { authorization: `Bearer ${admin}`, host: 'evil.example' },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(rebound, 421, 'a DNS-rebound name is refused');

  const malformed = await post({ authorization: `Bearer ${admin}` }, '{not json', 'setup.save');
  assert.equal(malformed.status, 200);
  assert.equal(((await malformed.json()) as { error: { code: string } }).error.code, 'invalid_input');
  const unknown = await post({ authorization: `Bearer ${viewer}` }, '{}', 'no.such%2Fchannel');
  assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'unknown_channel');
  const badEscape = await post({ authorization: `Bearer ${admin}` }, '{}', '%E0%A4%A');
  assert.equal(badEscape.status, 400);
  const huge = await post({ authorization: `Bearer ${admin}` }, `"${'x'.repeat(300 * 1024)}"`, 'setup.save').catch(
    () => null,
  );
  assert.ok(huge === null || huge.status === 413, 'an oversized body is refused');

  const upgrade = (headers: Record<string, string>) =>
    new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${svc.port}/v1/events`, { headers });
      ws.on('message', () => {
        ws.terminate();
        resolve('status');
      });
      ws.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
      ws.on('error', () => resolve('refused'));
    });
  assert.match(await upgrade({}), /^refused/);
  assert.match(await upgrade({ authorization: `Bearer ${viewer}`, origin: 'http://evil.example' }), /^refused/);
  assert.equal(await upgrade({ authorization: `Bearer ${viewer}` }), 'status');

  const hello = await fetch(`${base}/v1/hello`, { headers: { authorization: `Bearer ${viewer}` } });
  assert.deepEqual(await hello.json(), { service: 'cloud-connector', role: 'viewer' }, 'still serving after all that');
});

test('a second service on the same data folder refuses to start and leaves the first one serving', async (t) => {
  const svc = await startService(t);
  const viewer = await svc.attach('viewer');
  const keyBefore = readKey(serviceFiles(svc.dataDir), 'admin');
  const second = await runCli(['service', '--data-dir', svc.dataDir]);
  assert.equal(second.code, 1);
  assert.match(second.stderr, /already running/);
  assert.equal(readKey(serviceFiles(svc.dataDir), 'admin'), keyBefore, 'its keys were not replaced');
  assert.equal(
    (await viewer.handlers['status.get']({})).version.length > 0,
    true,
    'the first still answers its clients',
  );
});

test('`cloud-connector service --help` documents the command', async (t) => {
  void t;
  const help = await runCli(['service', '--help']);
  assert.equal(help.code, 0);
  for (const words of ['--data-dir', 'viewer.key', 'admin.key', 'SIGTERM', 'nobody is signed']) {
    assert.ok(help.stdout.includes(words), `--help mentions ${words}`);
  }
  const listed = await runCli(['--help']);
  assert.match(listed.stdout, /service/);
  const wrong = await runCli(['service', '--port', 'x']);
  assert.equal(wrong.code, 2);
});
