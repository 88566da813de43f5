// The desktop app's main process as built (dist/main/app.cjs, laid out as electron-builder packs
// it), run in a child process with a recording stand-in for `electron`, against a real hub (the
// CLI on loopback). What a clinic would notice: the wizard on first launch, a set-up that connects,
// a relaunch that connects silently, and no connection cut without connector.draining.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startConnectProxy } from '../helpers/connect-proxy.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { mintToken, startHubProcess } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { testPki } from '../helpers/tls.js';
import { type AppFolders, type AppProcess, eventually, launchApp } from './harness/app-process.js';
import { type PackagedLayout, stagePackagedApp } from './harness/packaged-layout.js';
import { startWireRecorder } from './harness/ws-wire.js';

let layout: PackagedLayout;
const cleanups: Array<() => void> = [];
before(async () => {
  layout = await stagePackagedApp(tempDir({ after: (fn: () => void) => cleanups.push(fn) }, 'cc-packaged-'));
});
after(() => {
  for (const fn of cleanups) fn();
});

function folders(t: Parameters<typeof tempDir>[0]): AppFolders {
  const home = tempDir(t, 'cc-home-');
  return {
    userData: path.join(home, 'AppData', 'Roaming', 'Cloud Connector'),
    localAppData: path.join(home, 'AppData', 'Local'),
  };
}

const localDir = (f: AppFolders) => path.join(f.localAppData, 'Cloud Connector');

async function ready(app: AppProcess): Promise<void> {
  await app.waitForCall((c) => c.target === 'ipcMain' && c.method === 'handle' && c.args[0] === 'status.get', 'IPC');
  await app.waitForCall((c) => c.target === 'tray' && c.method === 'setContextMenu', 'the tray menu');
}

async function demoState(app: AppProcess): Promise<{ state: string; nextAttemptAt: string | null } | undefined> {
  const reply = await app.invoke('status.get', {});
  return reply.value.environments.find((e: { environment: string }) => e.environment === 'demo');
}

/** Starts a hub behind a wire recorder, launches the app and saves a Demo set-up through IPC. */
async function setUpDemo(t: Parameters<typeof tempDir>[0]) {
  const hub = await startHubProcess(t, { dir: tempDir(t) });
  const wire = await startWireRecorder(t, hub.port);
  const f = folders(t);
  const token = mintToken(hub.tokensFile, 'acme', 'demo');
  const app = launchApp(t, { appDir: layout.appDir, folders: f });
  await ready(app);
  const saved = await app.invoke('setup.save', {
    environment: 'demo',
    token,
    network: { platformUrl: wire.url, proxyMode: 'system' },
    patientLookup: { type: 'demo' },
    consentStore: null,
    startAtLogin: true,
  });
  assert.deepEqual(saved, { ok: true, value: { ok: true, field: null, message: 'Demo is set up and starting.' } });
  await hub.handle.waitForLine(/connector connected/);
  await eventually(async () => (await demoState(app))?.state === 'connected', 'Demo connected');
  return { hub, wire, folders: f, token, app };
}

const connectedLines = (hub: { handle: { lines: Array<{ text: string }> } }) =>
  hub.handle.lines.filter((l) => /connector connected/.test(l.text)).length;

/** connector.draining, then a close frame with 1001, on one connection, as the hub received them. */
async function drainedOnTheWire(wire: Awaited<ReturnType<typeof startWireRecorder>>): Promise<void> {
  const draining = await wire.waitFor((e) => e.method === 'connector.draining', 'connector.draining');
  const close = await wire.waitFor(
    (e) => e.kind === 'close' && e.connection === draining.connection,
    'the close frame after draining',
  );
  assert.equal(close.code, 1001, 'closed with 1001 (going away)');
  assert.ok(close.at >= draining.at);
}

test('first launch opens the wizard; every file and image handed to Electron is in the packaged layout', async (t) => {
  const app = launchApp(t, { appDir: layout.appDir, folders: folders(t) });
  await ready(app);
  await app.waitForCall((c) => c.method === 'loadFile' && c.args[1]?.hash === 'setup', 'the wizard page');
  const windows = await app.command<Array<{ visible: boolean; url: string; options: any }>>('windows.list');
  const shown = windows.filter((w) => w.visible);
  assert.equal(shown.length, 1, 'one window shown');
  assert.match(shown[0]?.url ?? '', /\/dist\/renderer\/index\.html#setup$/);
  assert.equal(shown[0]?.options.webPreferences.sandbox, true);
  assert.equal(shown[0]?.options.webPreferences.contextIsolation, true);

  const handed: string[] = [];
  for (const c of app.calls) {
    if (c.target === 'nativeImage' && c.method === 'createFromPath') handed.push(c.args[0]);
    if (c.method === 'loadFile') handed.push(c.args[0]);
    if (c.method === 'constructor' && c.target.startsWith('window#')) {
      if (c.args[0].icon) handed.push(c.args[0].icon);
      if (c.args[0].webPreferences?.preload) handed.push(c.args[0].webPreferences.preload);
    }
    if (c.target === 'Notification' && c.method === 'constructor' && c.args[0].icon) handed.push(c.args[0].icon);
  }
  assert.ok(handed.length >= 5, `icon, tray image, preload, page: ${handed.length}`);
  for (const file of handed) {
    const relative = path.relative(layout.appDir, file).split(path.sep).join('/');
    assert.ok(!relative.startsWith('..'), `${file} is inside the package`);
    assert.ok(layout.files.includes(relative), `${relative} is packed by electron-builder.yml's files`);
  }
  // The tray starts grey (not set up) and the tooltip says what to do.
  const tray = await app.command<{ image: string; menu: string[] }>('tray.state');
  assert.equal(path.basename(tray.image), 'tray-grey.png');
  assert.equal(tray.menu[0], 'Not set up');
});

test('IPC from any page but the app’s own is refused, and nothing it sends is acted on', async (t) => {
  const f = folders(t);
  const app = launchApp(t, { appDir: layout.appDir, folders: f });
  await ready(app);
  const own = await app.invoke('status.get', {}, `${app.pageUrl}#status`);
  assert.equal(own.ok, true);
  const save = {
    environment: 'demo',
    token: 'cc_demo_abcdefghijklmnopqrstuvwxyz012345',
    network: { platformUrl: 'ws://127.0.0.1:9/connector/v1', proxyMode: 'system' },
    patientLookup: null,
    consentStore: null,
    startAtLogin: false,
  };
  const otherFile = new URL('other.html', app.pageUrl).href;
  for (const url of ['https://platform.example/', otherFile, 'file:///etc/passwd', 'about:blank']) {
    for (const [channel, input] of [
      ['status.get', {}],
      ['setup.save', save],
    ] as const) {
      const reply = await app.invoke(channel, input, url);
      assert.deepEqual(reply, { ok: false, error: { code: 'unknown_channel', message: 'Refused.' } }, url);
    }
  }
  assert.equal(existsSync(path.join(localDir(f), 'demo', 'connector.json')), false, 'no set-up was saved');
});

test('a set-up saved through IPC connects to a real hub, in the local folder; Quit drains; a relaunch connects with no window', async (t) => {
  const { hub, wire, folders: f, token, app } = await setUpDemo(t);
  // Where things live: the local app data folder, never the roaming one.
  assert.ok(existsSync(path.join(localDir(f), 'demo', 'connector.json')));
  const tokenFile = path.join(localDir(f), 'demo', 'token.enc');
  assert.ok(existsSync(tokenFile));
  assert.ok(!readFileSync(tokenFile, 'latin1').includes(token), 'the token is encrypted at rest');
  assert.ok(!existsSync(path.join(f.userData, 'demo')), 'nothing of the set-up in the roaming folder');
  assert.ok(
    app.calls.some((c) => c.method === 'setLoginItemSettings' && c.args[0].openAtLogin === true),
    'start at sign-in',
  );
  assert.ok(
    app.calls.some((c) => c.method === 'encryptStringAsync'),
    'the async safeStorage API',
  );

  // Quit from the tray: connected, so it asks; "Quit" drains, then the process exits.
  await app.command('tray.menuClick', { label: 'Quit' });
  await drainedOnTheWire(wire);
  assert.deepEqual(await app.exited, { code: 0, signal: null });
  assert.ok(
    app.calls.some((c) => c.target === 'dialog' && c.method === 'showMessageBox'),
    'asked first',
  );
  await hub.handle.waitForLine(/connector draining/);
  const logs = readdirSync(path.join(localDir(f), 'logs')).map((n) =>
    readFileSync(path.join(localDir(f), 'logs', n), 'utf8'),
  );
  assert.ok(logs.join('').includes('quitting: draining connectors'));
  assert.ok(!logs.join('').includes(token), 'the token is never logged');

  // Relaunch: connects on its own, shows no window.
  const before = connectedLines(hub);
  const again = launchApp(t, { appDir: layout.appDir, folders: f });
  await ready(again);
  await eventually(async () => connectedLines(hub) > before, 'the relaunched app connected');
  await eventually(async () => (await demoState(again))?.state === 'connected', 'Demo connected');
  const windows = await again.command<Array<{ visible: boolean; options: any }>>('windows.list');
  assert.deepEqual(
    windows.map((w) => w.visible),
    windows.map(() => false),
    'no window shown',
  );
  assert.ok(!again.calls.some((c) => c.method === 'show' || c.method === 'loadFile'), 'no window, no second hint');
  const tray = await again.command<{ image: string; menu: string[] }>('tray.state');
  assert.equal(path.basename(tray.image), 'tray-green.png');
  assert.equal(tray.menu[0], 'Demo: connected');
});

test('Windows session end drains before the process ends; query-session-end alone changes nothing', async (t) => {
  const { wire, app } = await setUpDemo(t);
  const windows = await app.command<Array<{ id: number; visible: boolean; options: any }>>('windows.list');
  const hidden = windows.find((w) => w.options.show === false && w.options.skipTaskbar === true);
  assert.ok(hidden, 'a hidden window hears the session events');
  assert.equal((hidden as { kind?: string }).kind, 'BaseWindow', 'a native window: no page, no renderer process');
  const query = await app.command('window.emit', { id: hidden.id, event: 'query-session-end', reasons: ['logoff'] });
  assert.equal(query.defaultPrevented, false, 'sign-out is never blocked');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await demoState(app))?.state, 'connected', 'another app may still cancel the sign-out');

  const end = await app.command('window.emit', { id: hidden.id, event: 'session-end', reasons: ['logoff'] });
  assert.equal(end.quitting, true, 'a quit under way after session-end, or Electron ends the process at once');
  await drainedOnTheWire(wire);
  const exit = await Promise.race([app.exited, new Promise((r) => setTimeout(() => r('still running'), 5_000))]);
  assert.deepEqual(exit, { code: 0, signal: null }, 'gone within the 5 s Windows allows');
  assert.equal(
    app.calls.filter((c) => c.target === 'dialog').length,
    0,
    'no question at sign-out: nobody is there to answer',
  );
});

test('resume from sleep reconnects at once instead of waiting out the backoff', async (t) => {
  const { hub, wire, folders: f, app } = await setUpDemo(t);
  // Long backoff, so that "at once" and "after the backoff" cannot be confused.
  await app.kill();
  const configFile = path.join(localDir(f), 'demo', 'connector.json');
  const config = JSON.parse(readFileSync(configFile, 'utf8'));
  config.timers = { ...config.timers, backoffBaseMs: 600_000, backoffCapMs: 600_000 };
  writeFileSync(configFile, JSON.stringify(config));
  const relaunched = launchApp(t, { appDir: layout.appDir, folders: f });
  await ready(relaunched);
  await eventually(async () => (await demoState(relaunched))?.state === 'connected', 'connected');

  // The network goes while the computer sleeps.
  wire.refuse(true);
  wire.dropAll();
  const waiting = await eventually(
    async () => {
      const s = await demoState(relaunched);
      // Full jitter may draw a short wait; the app then tries again (refused) and draws anew.
      return s?.state === 'backing_off' && s.nextAttemptAt && Date.parse(s.nextAttemptAt) - Date.now() > 30_000
        ? s
        : null;
    },
    'a backoff longer than 30 s',
    60_000,
  );
  // A calm tray while it waits: no menu rebuilt and no registry read every second.
  const count = (method: string) => relaunched.calls.filter((c) => c.method === method).length;
  // The status answer can arrive before the tray's redraw for that same change: let it land first.
  await new Promise((r) => setTimeout(r, 500));
  const menus = count('setContextMenu');
  await new Promise((r) => setTimeout(r, 2_500));
  const labels = relaunched.calls.filter((c) => c.method === 'setContextMenu').map((c) => c.args[0].menu[0].label);
  assert.equal(count('setContextMenu'), menus, `the menu is not rebuilt while nothing changes: ${labels.slice(-3)}`);
  assert.equal(count('getLoginItemSettings'), 1, 'the login item is read once');
  const before = connectedLines(hub);
  wire.refuse(false);
  const resumedAt = Date.now();
  await relaunched.command('powerMonitor.emit', { event: 'resume' });
  await eventually(async () => connectedLines(hub) > before, 'reconnected after resume', 15_000);
  assert.ok(Date.now() < Date.parse(waiting.nextAttemptAt as string), 'before the backoff would have ended');
  assert.ok(Date.now() - resumedAt < 15_000);
});

test('a newer version started while an older one runs takes over: the old one drains and quits', async (t) => {
  const { hub, wire, folders: f, app: old } = await setUpDemo(t);
  // The same version again only brings the running one forward.
  const same = launchApp(t, { appDir: layout.appDir, folders: f });
  assert.deepEqual(await same.exited, { code: 0, signal: null });
  assert.equal(same.calls.filter((c) => c.method === 'requestSingleInstanceLock').length, 1, 'no retrying');
  await old.waitForCall((c) => c.method === 'loadFile' && c.args[1]?.hash === 'status', 'the status window');
  assert.equal(old.hasExited, false);

  const before = connectedLines(hub);
  const newer = launchApp(t, { appDir: layout.appDir, folders: f, env: { FAKE_ELECTRON_APP_VERSION: '0.99.0' } });
  await drainedOnTheWire(wire);
  assert.deepEqual(await old.exited, { code: 0, signal: null });
  await eventually(async () => connectedLines(hub) > before, 'the new version connected', 30_000);
  const locks = newer.calls.filter((c) => c.method === 'requestSingleInstanceLock');
  assert.ok(locks.length >= 2, 'the new version retried the lock');
  assert.deepEqual(locks[0]?.args[0], { version: '0.99.0' }, 'and told the old one its version');
  assert.equal(JSON.parse(readFileSync(path.join(localDir(f), 'running-instance.json'), 'utf8')).version, '0.99.0');
  assert.equal(newer.calls.filter((c) => c.method === 'show').length, 0, 'silently: no window');
});

test('"Use Windows settings" follows the proxy Windows gives for the platform, asked again at each reconnect', async (t) => {
  const pki = await testPki();
  const fx = await startTestHub(t, { tls: { cert: pki.serverCert, key: pki.serverKey } });
  const caFile = path.join(tempDir(t), 'ca.pem');
  writeFileSync(caFile, pki.caCert);
  const proxy = await startConnectProxy(t);
  // platform.test resolves nowhere but in the test proxy: only the proxy Windows names can reach it.
  const platformUrl = fx.hub.wsUrl.replace('127.0.0.1', 'platform.test');
  const app = launchApp(t, {
    appDir: layout.appDir,
    folders: folders(t),
    env: { FAKE_ELECTRON_PROXY: `PROXY ${new URL(proxy.url).host}; DIRECT` },
  });
  await ready(app);
  const saved = await app.invoke('setup.save', {
    environment: 'demo',
    token: fx.mint('demo'),
    network: { platformUrl, proxyMode: 'system', caFile },
    patientLookup: { type: 'demo' },
    consentStore: null,
    startAtLogin: false,
  });
  assert.equal(saved.value.ok, true, JSON.stringify(saved));
  await eventually(async () => (await demoState(app))?.state === 'connected', 'connected through the proxy');
  assert.deepEqual(proxy.tunnels, [`platform.test:${fx.hub.port}`]);
  const asked = () => app.calls.filter((c) => c.target === 'session' && c.method === 'resolveProxy');
  assert.equal(asked().at(-1)?.args[0], `https://platform.test:${fx.hub.port}/`);

  // Another network: now the proxy wants Windows sign-in. The next connection asks Windows again.
  const strict = await startConnectProxy(t, { demand: ['Negotiate', 'NTLM'] });
  await app.command('proxy.set', { answer: `PROXY ${new URL(strict.url).host}` });
  const before = asked().length;
  await fx.hub.close({ graceful: false });
  const failed = await eventually(async () => {
    const reply = await app.invoke('status.get', {});
    const demo = reply.value.environments.find((e: { environment: string }) => e.environment === 'demo');
    return demo?.lastError?.includes('Windows sign-in') ? demo : null;
  }, 'the sign-in explanation');
  assert.equal(
    failed.lastError,
    'your proxy needs Windows sign-in: ask IT to let platform.test through without it, or enter a proxy account',
  );
  assert.ok(asked().length > before, 'asked Windows again for the reconnect');
  assert.equal(strict.tunnels.length >= 1, true);
});

test('a set-up an earlier version left in the roaming folder, token from the sync API, moves to the local folder once', async (t) => {
  const hub = await startHubProcess(t, { dir: tempDir(t) });
  const wire = await startWireRecorder(t, hub.port);
  const f = folders(t);
  // The earlier version: everything in userData (roaming), the token written by safeStorage's sync API.
  const earlier = launchApp(t, {
    appDir: layout.appDir,
    folders: { ...f, localAppData: '' },
    env: { FAKE_ELECTRON_SYNC_SAFE_STORAGE_ONLY: '1' },
  });
  await ready(earlier);
  const token = mintToken(hub.tokensFile, 'acme', 'demo');
  const saved = await earlier.invoke('setup.save', {
    environment: 'demo',
    token,
    network: { platformUrl: wire.url, proxyMode: 'system' },
    patientLookup: { type: 'demo' },
    consentStore: null,
    startAtLogin: false,
  });
  assert.equal(saved.value.ok, true);
  await eventually(async () => (await demoState(earlier))?.state === 'connected', 'the earlier version connected');
  await earlier.kill();
  const roamingToken = path.join(f.userData, 'demo', 'token.enc');
  assert.match(readFileSync(roamingToken, 'utf8'), /^fake-dpapi-sync:/);

  const logFile = path.join(localDir(f), 'logs', 'app.log');
  const moves = () =>
    readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('moved the set-up')).length;
  for (const run of [1, 2]) {
    const before = connectedLines(hub);
    const now = launchApp(t, { appDir: layout.appDir, folders: f });
    await ready(now);
    await eventually(async () => connectedLines(hub) > before, `run ${run} connected with the moved set-up`);
    assert.equal(moves(), 1, 'one line in the log, on the first start only');
    await now.kill();
  }
  assert.ok(!existsSync(path.join(f.userData, 'demo')), 'nothing left in the roaming folder');
  const log = readFileSync(logFile, 'utf8');
  assert.ok(
    !log.includes(f.userData) && !log.includes(f.localAppData),
    'no folder names (they carry the account name)',
  );
  // The token was read with the async API and written again with it.
  assert.match(readFileSync(path.join(localDir(f), 'demo', 'token.enc'), 'utf8'), /^fake-dpapi-async:/);
});

test('the installer closing the app (WM_CLOSE or Restart Manager) drains it instead of cutting it', async (t) => {
  for (const how of ['close', 'query-session-end'] as const) {
    const { wire, app } = await setUpDemo(t);
    const windows = await app.command<Array<{ id: number; options: any }>>('windows.list');
    const hidden = windows.find((w) => w.options.show === false && w.options.skipTaskbar === true);
    assert.ok(hidden);
    await app.command('window.emit', { id: hidden.id, event: how, reasons: ['close-app'] });
    await drainedOnTheWire(wire);
    assert.deepEqual(await app.exited, { code: 0, signal: null }, how);
  }
});
