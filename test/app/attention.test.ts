import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ATTENTION_AFTER_MS, AttentionPolicy, PROBLEM_NOTE_COOLDOWN_MS } from '../../src/main/app/attention.js';
import { app, env, NOW } from './status-fixtures.js';

const t0 = NOW.getTime();
const MIN = 60_000;
const connected = app(env('production', 'connected'));
const reconnecting = app(env('production', 'backing_off', { attempt: 3 }));
const rejected = app(env('production', 'rejected', { lastCloseCode: 4401 }));

test('one notification after 2 minutes red or amber, one on recovery, nothing in between', () => {
  const policy = new AttentionPolicy();
  assert.deepEqual(policy.update(connected, t0), []);
  assert.deepEqual(policy.update(reconnecting, t0 + 1_000), []);
  assert.deepEqual(policy.update(reconnecting, t0 + 1_000 + ATTENTION_AFTER_MS - 1), [], 'not before 2 minutes');
  const [problem, ...more] = policy.update(reconnecting, t0 + 1_000 + ATTENTION_AFTER_MS);
  assert.deepEqual(more, []);
  assert.equal(problem?.kind, 'problem');
  assert.equal(problem?.title, 'Production: reconnecting (try 3)', 'no countdown in a notification');
  assert.equal(problem?.body, "Cloud Connector can't reach the platform: patient lookups will fail. Open for details.");
  for (let i = 1; i <= 30; i++) assert.deepEqual(policy.update(reconnecting, t0 + i * MIN + 3 * MIN), []);
  const [recovered] = policy.update(connected, t0 + 40 * MIN);
  assert.deepEqual(recovered, {
    environment: 'production',
    kind: 'recovered',
    title: 'Production is connected again',
    body: 'Cloud Connector reaches the platform again: patient lookups work.',
  });
  assert.deepEqual(policy.update(connected, t0 + 41 * MIN), []);
});

test('a short drop says nothing; a connection that keeps dropping is not a storm', () => {
  const policy = new AttentionPolicy();
  policy.update(reconnecting, t0);
  assert.deepEqual(policy.update(connected, t0 + MIN), [], 'back within 2 minutes: no word either way');
  let shown = 0;
  // Down for 3 minutes, up for a moment, for an hour.
  for (let m = 0; m < 60; m += 3) {
    shown += policy.update(reconnecting, t0 + m * MIN).length;
    shown += policy.update(reconnecting, t0 + (m + 2.5) * MIN).length;
    shown += policy.update(connected, t0 + (m + 2.9) * MIN).length;
  }
  // At most one problem (and its recovery) per 30 minutes.
  assert.ok(shown <= 2 * Math.ceil(60 / (PROBLEM_NOTE_COOLDOWN_MS / MIN)) + 1, `${shown} notifications in an hour`);
  assert.ok(shown >= 2);
});

test('red says what is wrong; pausing ends an incident without a recovery note', () => {
  const policy = new AttentionPolicy();
  policy.update(rejected, t0);
  const [note] = policy.update(rejected, t0 + ATTENTION_AFTER_MS);
  assert.match(note?.body ?? '', /does not accept the connection token/);
  assert.deepEqual(policy.update(app(env('production', 'paused')), t0 + 3 * MIN), []);
  assert.deepEqual(policy.update(app(env('production', 'not_set_up')), t0 + 4 * MIN), []);
  // Each environment on its own.
  const both = new AttentionPolicy();
  both.update(app(env('production', 'connected'), env('demo', 'backing_off')), t0);
  const notes = both.update(app(env('production', 'connected'), env('demo', 'backing_off')), t0 + ATTENTION_AFTER_MS);
  assert.deepEqual(
    notes.map((n) => n.title),
    ['Demo: reconnecting (try 1)'],
  );
});

test('the toast carries the sentence and the picture, escaped', async () => {
  const { TRAY_HINT, toastXml } = await import('../../src/main/app/notes.js');
  const xml = toastXml({
    ...TRAY_HINT,
    picture: '/opt/Cloud Connector/resources/app.asar.unpacked/assets/hints/a&b.png',
  });
  assert.match(xml, /^<toast activationType="foreground"><visual><binding template="ToastGeneric">/);
  assert.match(xml, /<text>Keep Cloud Connector in view<\/text>/);
  assert.match(
    xml,
    /<image placement="hero" src="file:\/\/\/opt\/Cloud%20Connector\/resources\/app\.asar\.unpacked\/assets\/hints\/a&amp;b\.png"\/>/,
  );
  assert.equal(TRAY_HINT.body.split(/[.!?](\s|$)/).filter((s) => s.trim()).length, 1, 'one sentence');
  assert.ok(!toastXml({ title: '<b>', body: 'x' }).includes('<b>'));
});
