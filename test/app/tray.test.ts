import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trayIcon } from '../../src/main/app/tray-icon.js';
import { type MenuItemSpec, quitNeedsConfirmation, trayMenu } from '../../src/main/app/tray-menu.js';
import { TOOLTIP_MAX, trayTooltip } from '../../src/main/app/tray-tooltip.js';
import { app, env, NOW, STATES } from './status-fixtures.js';

const labels = (menu: MenuItemSpec[]) => menu.map((i) => (i.kind === 'separator' ? '---' : i.label));
const item = (menu: MenuItemSpec[], id: string) => menu.find((i) => 'id' in i && i.id === id);

test('one environment: every state has its icon, shape and one-line tooltip', () => {
  for (const [name, production, tone, words] of STATES) {
    const status = app(production);
    const icon = trayIcon(status, NOW);
    assert.equal(icon.tone, tone, name);
    assert.equal(icon.file, `tray-${tone}.png`, name);
    assert.equal(
      icon.shape,
      { green: 'tick', amber: 'ring', red: 'cross', grey: 'pause' }[tone],
      `${name}: a shape as well as a colour`,
    );
    const tooltip = trayTooltip(status, NOW);
    assert.equal(tooltip, `Cloud Connector — Production: ${words}`, name);
    assert.ok(!tooltip.includes('\n'));
  }
});

test('the tooltips are exactly the ones in UX.md', () => {
  const [connected, , , reconnecting, rejected, , update, sourceDown] = STATES;
  assert.equal(trayTooltip(app(connected![1]), NOW), 'Cloud Connector — Production: connected (23 ms)');
  assert.equal(
    trayTooltip(app(reconnecting![1]), NOW),
    'Cloud Connector — Production: reconnecting (try 3, next in 8 s)',
  );
  assert.equal(trayTooltip(app(rejected![1]), NOW), 'Cloud Connector — Production: token not accepted — open to fix');
  assert.equal(trayTooltip(app(update![1]), NOW), 'Cloud Connector — Production: update required');
  assert.equal(
    trayTooltip(app(sourceDown![1]), NOW),
    'Cloud Connector — Production: connected, patient system not reachable',
  );
  const nothing = app(env('production', 'not_set_up'));
  assert.equal(trayTooltip(nothing, NOW), 'Cloud Connector — not set up — click to start');
  assert.equal(trayIcon(nothing, NOW).tone, 'grey');
});

test('the same states in Demo name Demo', () => {
  for (const [name, production, tone, words] of STATES) {
    const demo = { ...production, environment: 'demo' as const };
    const status = app(env('production', 'not_set_up'), demo);
    assert.equal(trayIcon(status, NOW).tone, tone, name);
    assert.equal(trayTooltip(status, NOW), `Cloud Connector — Demo: ${words}`, name);
  }
});

test('two environments: the icon shows the worse, the tooltip has a line each and fits Windows', () => {
  for (const [nameA, a, toneA, wordsA] of STATES) {
    for (const [nameB, b, toneB, wordsB] of STATES) {
      const status = app(a, { ...b, environment: 'demo' });
      const rank = { green: 0, grey: 1, amber: 2, red: 3 };
      const worse = rank[toneA] >= rank[toneB] ? toneA : toneB;
      assert.equal(trayIcon(status, NOW).tone, worse, `${nameA} + ${nameB}`);
      const tooltip = trayTooltip(status, NOW);
      assert.deepEqual(tooltip.split('\n'), ['Cloud Connector', `Production: ${wordsA}`, `Demo: ${wordsB}`]);
      assert.ok(tooltip.length <= TOOLTIP_MAX, `${nameA} + ${nameB}: ${tooltip.length} characters`);
    }
  }
  const oneGreenOneNotSetUp = app(env('production', 'connected'), env('demo', 'not_set_up'));
  assert.equal(trayIcon(oneGreenOneNotSetUp, NOW).tone, 'green', 'an environment never set up is not a fault');
});

test('the menu lists each environment, then the actions of UX.md', () => {
  const next = new Date(NOW.getTime() + 8_000).toISOString();
  const menu = trayMenu(
    app(env('production', 'connected'), env('demo', 'backing_off', { attempt: 2, nextAttemptAt: next })),
    NOW,
  );
  // No latency and no countdown: the menu changes only when a state does.
  assert.deepEqual(labels(menu), [
    'Production: connected',
    'Demo: reconnecting (try 2)',
    '---',
    'Open status',
    'Set up…',
    'Reconnect now',
    'Pause',
    'Open logs folder',
    '---',
    'Start when I sign in',
    '---',
    'Quit',
  ]);
  assert.deepEqual(item(menu, 'start-at-login'), {
    kind: 'checkbox',
    id: 'start-at-login',
    label: 'Start when I sign in',
    checked: true,
  });
  assert.equal(menu[0]?.kind, 'info', 'state lines are not clickable');
});

test('menu: Resume when everything is paused, nothing to reconnect or pause when not set up', () => {
  const paused = trayMenu(app(env('production', 'paused'), env('demo', 'paused')), NOW);
  assert.ok(item(paused, 'resume'));
  assert.equal(item(paused, 'pause'), undefined);
  assert.equal((item(paused, 'reconnect') as { enabled: boolean }).enabled, false);

  const half = trayMenu(app(env('production', 'paused'), env('demo', 'connected')), NOW);
  assert.ok(item(half, 'pause'), 'Pause while anything still runs');

  const none = trayMenu(app(env('production', 'not_set_up'), env('demo', 'not_set_up'), false), NOW);
  assert.equal(labels(none)[0], 'Not set up');
  assert.equal((item(none, 'reconnect') as { enabled: boolean }).enabled, false);
  assert.equal((item(none, 'pause') as { enabled: boolean }).enabled, false);
  assert.equal((item(none, 'start-at-login') as { checked: boolean }).checked, false);
});

test('quitting asks first only while something is connected', () => {
  assert.equal(quitNeedsConfirmation(app(env('production', 'connected'))), true);
  assert.equal(quitNeedsConfirmation(app(env('production', 'paused'), env('demo', 'connected'))), true);
  assert.equal(quitNeedsConfirmation(app(env('production', 'backing_off'))), false);
  assert.equal(quitNeedsConfirmation(app(env('production', 'not_set_up'))), false);
});
