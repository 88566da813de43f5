import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { AppShell, type ShellController, type TrayParts } from '../../src/main/app/app-shell.js';
import type { AppStatus } from '../../src/shared/ipc/status.js';
import { app, env, NOW } from './status-fixtures.js';

class FakeController extends EventEmitter implements ShellController {
  calls: string[] = [];
  constructor(public current: AppStatus) {
    super();
  }
  status() {
    return this.current;
  }
  push(status: AppStatus) {
    this.current = status;
    this.emit('status', status);
  }
  reconnect() {
    this.calls.push('reconnect');
  }
  async setPaused(_env: unknown, paused: boolean) {
    this.calls.push(paused ? 'pause' : 'resume');
  }
  setStartAtLogin(enabled: boolean) {
    this.calls.push(`start-at-login:${enabled}`);
  }
  async close() {
    this.calls.push('close');
  }
}

function shell(
  status: AppStatus,
  confirm = true,
  now: () => Date = () => NOW,
  extra: Partial<ConstructorParameters<typeof AppShell>[0]> = {},
) {
  const controller = new FakeController(status);
  const trays: Array<Partial<TrayParts>> = [];
  const shown: string[] = [];
  const sent: unknown[] = [];
  const asked: string[] = [];
  let quit = 0;
  const s = new AppShell({
    controller,
    tray: { set: (v) => trays.push(v) },
    windows: { show: (r) => shown.push(r), send: (_c, p) => sent.push(p) },
    dialogs: {
      confirmQuit: async (m) => {
        asked.push(m);
        return confirm;
      },
    },
    openLogs: async () => {
      controller.calls.push('open-logs');
    },
    quit: () => {
      quit++;
    },
    now,
    ...extra,
  });
  return { s, controller, trays, shown, sent, asked, quits: () => quit };
}

test('the tray follows the status, and is left alone when nothing changed', async (t) => {
  const x = shell(app(env('production', 'connected')));
  x.s.start();
  t.after(() => x.s.quit());
  assert.equal(x.trays.length, 1);
  assert.equal(x.trays[0]?.iconFile, 'tray-green.png');
  x.controller.push(app(env('production', 'connected')));
  assert.equal(x.trays.length, 1, 'same status: no tray update');
  x.controller.push(app(env('production', 'rejected', { lastCloseCode: 4401 })));
  assert.equal(x.trays.length, 2);
  assert.equal(x.trays[1]?.iconFile, 'tray-red.png');
  assert.match(x.trays[1]?.tooltip ?? '', /token not accepted/);
  assert.equal(x.sent.length, 2, 'every status goes to the window too');
});

test('a new latency or a countdown changes the tooltip only: the menu and icon are left alone', async (t) => {
  let clock = NOW.getTime();
  const x = shell(app(env('production', 'connected', { latencyMs: 23 })), true, () => new Date(clock));
  x.s.start();
  t.after(() => x.s.quit({ confirm: false }));
  x.controller.push(app(env('production', 'connected', { latencyMs: 31 })));
  assert.deepEqual(Object.keys(x.trays[1] ?? {}), ['tooltip'], 'latency: tooltip only');
  const next = new Date(clock + 20_000).toISOString();
  x.controller.push(app(env('production', 'backing_off', { attempt: 2, nextAttemptAt: next })));
  const menuUpdates = () => x.trays.filter((v) => v.menu).length;
  const before = menuUpdates();
  const tooltipsBefore = x.trays.filter((v) => v.tooltip).length;
  clock += 3_000;
  await new Promise((r) => setTimeout(r, 1_300));
  assert.equal(menuUpdates(), before, 'the countdown does not rebuild the menu');
  assert.ok(x.trays.filter((v) => v.tooltip).length > tooltipsBefore, 'the tooltip counts down');
  assert.match(x.trays.at(-1)?.tooltip ?? '', /next in 17 s/);
});

test('first start with nothing set up opens the wizard; a tray click opens status once set up', async () => {
  const x = shell(app(env('production', 'not_set_up')));
  x.s.start();
  assert.deepEqual(x.shown, ['setup']);
  x.s.onTrayClick();
  assert.deepEqual(x.shown, ['setup', 'setup']);
  x.controller.push(app(env('production', 'connected')));
  x.s.onTrayClick();
  assert.equal(x.shown.at(-1), 'status');
  await x.s.quit();
});

test('menu actions reach the controller and the windows', async () => {
  const x = shell(app(env('production', 'connected')));
  for (const id of ['open-status', 'setup', 'reconnect', 'pause', 'resume', 'open-logs', 'start-at-login'] as const) {
    await x.s.onMenu(id);
  }
  assert.deepEqual(x.shown, ['status', 'setup']);
  assert.deepEqual(x.controller.calls, ['reconnect', 'pause', 'resume', 'open-logs', 'start-at-login:false']);
});

test('Quit asks while connected, and does nothing if the person keeps it running', async () => {
  const keep = shell(app(env('production', 'connected')), false);
  await keep.s.onMenu('quit');
  assert.deepEqual(keep.asked, ['Patient lookups will stop working until Cloud Connector is started again.']);
  assert.equal(keep.quits(), 0);
  assert.equal(keep.s.isQuitting, false);

  const go = shell(app(env('production', 'connected')), true);
  await go.s.onMenu('quit');
  assert.equal(go.quits(), 1);
  assert.ok(go.controller.calls.includes('close'), 'connectors drain before the app exits');

  const idle = shell(app(env('production', 'backing_off')));
  await idle.s.onMenu('quit');
  assert.deepEqual(idle.asked, [], 'nothing connected: no question');
  assert.equal(idle.quits(), 1);
});

test('notifications: one after 2 minutes reconnecting, one on recovery; the tray hint once, when first connected', (t) => {
  let clock = NOW.getTime();
  const notes: Array<{ title: string; picture?: string }> = [];
  const clicks: Array<() => void> = [];
  let hintShown = false;
  const x = shell(app(env('production', 'not_set_up')), true, () => new Date(clock), {
    notifier: {
      show: (note, onClick) => {
        notes.push(note);
        clicks.push(onClick);
      },
    },
    trayHint: {
      due: () => !hintShown,
      shown: () => (hintShown = true),
      picture: '/app/assets/hints/keep-icon-visible.png',
    },
  });
  x.s.start();
  t.after(() => x.s.quit({ confirm: false }));
  x.controller.push(app(env('production', 'connected')));
  assert.deepEqual(
    notes.map((n) => [n.title, n.picture]),
    [['Keep Cloud Connector in view', '/app/assets/hints/keep-icon-visible.png']],
    'the hint, with its picture, at the first connection',
  );
  x.controller.push(app(env('production', 'backing_off', { attempt: 1 })));
  clock += 60_000;
  x.controller.push(app(env('production', 'backing_off', { attempt: 2 })));
  assert.equal(notes.length, 1, 'not yet');
  clock += 61_000;
  x.s.attend(app(env('production', 'backing_off', { attempt: 2 })));
  assert.equal(notes.at(-1)?.title, 'Production: reconnecting (try 2)');
  clicks.at(-1)?.();
  assert.equal(x.shown.at(-1), 'status', 'a click opens the status window');
  x.controller.push(app(env('production', 'connected')));
  assert.equal(notes.at(-1)?.title, 'Production is connected again');
  assert.equal(notes.length, 3, 'no second hint');
});
