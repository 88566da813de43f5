import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { AppController } from '../../src/main/controller/app-controller.js';
import { startBridge } from '../../src/main/controller/bridge-server.js';
import { FileSecretStore } from '../../src/main/controller/secret-store.js';
import { CHANNEL_NAMES as NAMES_ONLY } from '../../src/shared/ipc/channel-names.js';
import { CHANNEL_NAMES, type ChannelName, channelInputs, type IpcHandlers } from '../../src/shared/ipc/channels.js';
import { dispatchIpc } from '../../src/shared/ipc/dispatch.js';
import { tempDir } from '../helpers/temp-dir.js';

const SECRET = 'cc_demo_SECRETSECRETSECRETSECRET0123';
const network = { platformUrl: 'ws://127.0.0.1:1/connector/v1', proxyMode: 'system' };

/** For every channel: inputs that must be refused before any handler runs. */
const MALFORMED: Record<ChannelName, unknown[]> = {
  'status.get': [null, 'x', [], { extra: 1 }],
  'setup.get': [{}, { environment: 'staging' }, { environment: 1 }, { environment: 'demo', x: 1 }],
  'setup.save': [
    {},
    { environment: 'demo', network, patientLookup: null, consentStore: null },
    { environment: 'demo', network, patientLookup: null, consentStore: null, startAtLogin: 'yes' },
    { environment: 'demo', token: 42, network, patientLookup: null, consentStore: null, startAtLogin: true },
    {
      environment: 'demo',
      token: 'x'.repeat(5000),
      network,
      patientLookup: null,
      consentStore: null,
      startAtLogin: true,
    },
    {
      environment: 'demo',
      network: { ...network, proxyMode: 'auto' },
      patientLookup: null,
      consentStore: null,
      startAtLogin: true,
    },
    { environment: 'demo', network, patientLookup: { noType: true }, consentStore: null, startAtLogin: true },
    {
      environment: 'demo',
      network,
      patientLookup: null,
      consentStore: null,
      startAtLogin: true,
      token: SECRET,
      tokenFile: '/x',
    },
  ],
  'setup.testPlatform': [
    { environment: 'demo' },
    { environment: 'demo', network: {} },
    { environment: 'demo', network, token: '' },
  ],
  'setup.testLookup': [
    { environment: 'demo', patientLookup: { type: 'demo' } },
    { environment: 'demo', patientLookup: { type: 'demo' }, identifier: '' },
    { environment: 'demo', patientLookup: { type: 'demo' }, identifier: 'x'.repeat(65) },
    { environment: 'demo', patientLookup: 'demo', identifier: 'D100000' },
  ],
  'setup.testStore': [
    { environment: 'demo' },
    { environment: 'demo', consentStore: [] },
    { environment: 'demo', consentStore: { type: '' } },
    { environment: 'demo', consentStore: { type: 'folder' }, secrets: { 'consentStore.path': 'x', x: 'y' } },
  ],
  'setup.sqlColumns': [
    { environment: 'demo', patientLookup: { type: 'sql' } },
    { environment: 'demo', patientLookup: { type: 'sql' }, identifier: 'D1', genderColumn: '' },
    { environment: 'demo', patientLookup: { type: 'sql' }, identifier: 'D1', secrets: { token: 'x' } },
  ],
  'app.pickPath': [{ path: '/etc' }, { kind: 'file' }, 'pick'],
  'status.day': [{}, { environment: 'both' }],
  'calls.recent': [{}, { limit: 0 }, { limit: 51 }, { limit: 1.5 }, { limit: 10, environment: 'both' }],
  'app.openLogs': [{ path: '/etc' }, 'open'],
  'connector.reconnect': [{ environment: 'nope' }, 7],
  'connector.setPaused': [{}, { paused: 'true' }, { paused: true, environment: 'x' }],
  'diagnostics.copy': [{ includeToken: true }],
};

test('the schema map, the name list and the handler map cover the same channels', () => {
  assert.deepEqual(Object.keys(channelInputs).sort(), [...NAMES_ONLY].sort());
  assert.deepEqual(CHANNEL_NAMES, NAMES_ONLY);
  assert.deepEqual(Object.keys(MALFORMED).sort(), [...NAMES_ONLY].sort(), 'this test covers every channel');
});

test('every channel refuses malformed input before its handler runs, naming fields but not values', async () => {
  const called: string[] = [];
  const handlers = Object.fromEntries(
    CHANNEL_NAMES.map((c) => [
      c,
      async () => {
        called.push(c);
        return {};
      },
    ]),
  ) as unknown as IpcHandlers;
  for (const channel of CHANNEL_NAMES) {
    for (const input of MALFORMED[channel]) {
      const reply = await dispatchIpc(handlers, channel, input);
      assert.equal(reply.ok, false, `${channel} accepted ${JSON.stringify(input).slice(0, 80)}`);
      if (!reply.ok) {
        assert.equal(reply.error.code, 'invalid_input');
        assert.match(reply.error.message, new RegExp(`^Invalid request to ${channel.replace('.', '\\.')}`));
        assert.ok(!reply.error.message.includes(SECRET), 'the message never repeats a value');
        assert.ok(!reply.error.message.includes('xxxx'));
      }
    }
  }
  assert.deepEqual(called, []);
  const unknown = await dispatchIpc(handlers, 'fs.readFile', { path: '/etc/passwd' });
  assert.deepEqual(unknown, { ok: false, error: { code: 'unknown_channel', message: 'Unknown request.' } });
  const proto = await dispatchIpc(handlers, '__proto__', {});
  assert.equal(proto.ok, false);
});

test('handler failures cross the boundary as a sentence, not a stack trace', async () => {
  const handlers = {
    'status.get': async () => {
      throw new Error(`ECONNREFUSED at /srv/secret/path ${SECRET}`);
    },
  } as unknown as IpcHandlers;
  const reply = await dispatchIpc(handlers, 'status.get', {});
  assert.deepEqual(reply, {
    ok: false,
    error: { code: 'failed', message: 'Something went wrong. Copy diagnostics and contact support.' },
  });
});

test('the preview bridge applies the same contract over HTTP, and only to its own page', async (t) => {
  const dir = tempDir(t);
  const controller = await AppController.create({
    baseDir: path.join(dir, 'app'),
    secrets: new FileSecretStore(path.join(dir, 'app')),
    platformUrls: { demo: network.platformUrl, production: network.platformUrl },
    logsDir: path.join(dir, 'logs'),
  });
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script src="renderer.js"></script>');
  const bridge = await startBridge({ controller, rendererDir: dir, bridgeClientFile: path.join(dir, 'none.js') });
  t.after(async () => {
    await bridge.close();
    await controller.close();
  });
  const origin = bridge.url.replace(/\/$/, '');
  // The page sets the per-run cookie that /ipc and /events require.
  const served = await fetch(bridge.url);
  assert.equal(served.status, 200);
  const setCookie = served.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /; HttpOnly/);
  assert.match(setCookie, /; SameSite=Strict/);
  const cookie = setCookie.split(';')[0] as string;
  const post = (channel: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${origin}/ipc/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, cookie, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  for (const channel of CHANNEL_NAMES) {
    const res = await post(channel, MALFORMED[channel][0]);
    const reply = await res.json();
    assert.equal(reply.ok, false, channel);
    assert.equal(reply.error.code, 'invalid_input', channel);
  }
  assert.equal((await (await post('status.get', '{not json')).json()).error.code, 'invalid_input');
  const ok = await (await post('status.get', {})).json();
  assert.equal(ok.ok, true);
  assert.equal(ok.value.environments.length, 2);

  assert.equal(
    (await post('status.get', {}, { origin: 'http://evil.example' })).status,
    403,
    'other pages are refused',
  );
  // Another program on this computer that never loaded the page: right Origin, no cookie.
  assert.equal((await post('status.get', {}, { cookie: '' })).status, 403, 'no cookie, no call');
  assert.equal((await post('status.get', {}, { cookie: `${cookie.split('=')[0]}=guess` })).status, 403);
  const events = (headers: Record<string, string>) =>
    new Promise<string>((resolve) => {
      const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/events`, { headers: { origin, ...headers } });
      ws.once('message', (data) => {
        ws.close();
        resolve(String(data).slice(0, 20));
      });
      ws.once('error', () => resolve('refused'));
    });
  assert.equal(await events({}), 'refused', 'status pushes need the cookie too');
  assert.match(await events({ cookie }), /^\{"event"/);
  // fetch will not send a foreign Host header, so use node:http as a rebinding page's browser would.
  const rebinding = await new Promise<number>((resolve, reject) => {
    const req = http.request(
      `${origin}/ipc/status.get`,
      { method: 'POST', headers: { 'content-type': 'application/json', origin, host: 'evil.example' } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
  assert.equal(rebinding, 421, 'a foreign Host header is refused');
  assert.equal((await fetch(`${origin}/../../etc/passwd`)).status, 404);
});
