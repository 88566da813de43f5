// The status window's last 24 hours, after a scripted day written through the real audit writer
// (its clock set to each moment) into a real audit database: an outage, a pause, a refused token,
// a busy hour of lookups and a few documents.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditCallHistory } from '../../src/main/audit/audit-call-history.js';
import { AuditWriter } from '../../src/main/audit/audit-writer.js';
import type { CallEvent, ConnectionEvent } from '../../src/main/audit/entries.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startUi } from './ui-fixture.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function call(method: string, durationMs: number, outcome: CallEvent['outcome'] = 'ok'): CallEvent {
  return {
    channelId: 'c',
    requestId: 1,
    method,
    outcome,
    reason: outcome === 'error' ? 'source_unavailable' : null,
    durationMs,
    bytesIn: 100,
    bytesOut: 200,
    sessionId: null,
  };
}

test(
  'the last 24 hours show the outage, the pause, the refused token and the busy hour, in words and as a table',
  { timeout: 90_000 },
  async (t) => {
    // Scripted against this hour's start; never within a few seconds of the next hour.
    const toNextHour = HOUR - (Date.now() % HOUR);
    if (toNextHour < 20_000) await sleep(toNextHour + 1_000);
    const h0 = new Date();
    h0.setMinutes(0, 0, 0);
    const at = (hours: number, minutes = 0) => new Date(h0.getTime() + hours * HOUR + minutes * MINUTE);

    let clock = at(-30);
    const writer = new AuditWriter({
      path: path.join(tempDir(t), 'audit.sqlite'),
      now: () => clock,
      pruneIntervalMs: 24 * HOUR,
    });
    t.after(() => writer.close());
    const connection = (when: Date, event: ConnectionEvent['event'], code?: number) => {
      clock = when;
      writer.recordConnection({ event, sessionId: null, ...(code ? { code } : {}) });
    };
    connection(at(-30), 'connected');
    connection(at(-20, 10), 'disconnected', 1006);
    connection(at(-20, 25), 'connected');
    connection(at(-8), 'draining');
    connection(at(-6, 30), 'connected');
    connection(at(-3, 5), 'rejected', 4401);
    connection(at(-3, 20), 'connected');
    for (let i = 1; i <= 40; i++) {
      clock = at(-2, i);
      writer.recordCall(call('patient.lookup', i * 10, i > 38 ? 'error' : 'ok'));
    }
    for (let i = 0; i < 3; i++) {
      clock = at(-5, 10 + i);
      writer.recordCall(call('consent.store', 900));
    }
    writer.flush();

    const ui = await startUi(t, { historyFor: (environment) => new AuditCallHistory(writer, environment) });
    const saved = await ui.controller.handlers['setup.save']({
      environment: 'demo',
      token: ui.fx.mint('demo'),
      network: { platformUrl: ui.fx.hub.wsUrl, proxyMode: 'system' },
      patientLookup: { type: 'demo' },
      consentStore: null,
      startAtLogin: true,
    });
    assert.equal(saved.ok, true);
    const { page } = ui;
    await page.goto(`${ui.bridge.url}#status`);
    const strip = page.getByTestId('day-demo');
    await strip.waitFor();
    const states = await strip.locator('li').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-state')));
    assert.equal(states.length, 24, 'one slice per hour');
    // Index 23 is the current hour (h0), so hour -n is index 23 - n.
    const expected = Array<string>(24).fill('connected');
    expected[23 - 20] = 'down';
    for (const h of [8, 7, 6]) expected[23 - h] = 'paused';
    expected[23 - 3] = 'down';
    assert.deepEqual(states, expected);
    await page.getByText(/Times are this computer’s local time/).waitFor();

    // The keyboard walks the hours; each says its numbers in words.
    await strip.locator('li').last().focus();
    for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowLeft');
    const readout = page.getByTestId('day-readout');
    await readout
      .getByText(/connected 45 minutes, down 13 minutes, reconnecting 2 minutes; 0 lookups, 0 documents\./)
      .waitFor();
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('aria-label')),
      await readout.innerText(),
      'what is shown is what a screen reader hears',
    );
    await page.keyboard.press('End');
    for (let i = 0; i < 2; i++) await page.keyboard.press('ArrowLeft');
    await readout
      .getByText(/connected 60 minutes; 40 lookups, 0 documents, 2 errors; slowest 5 % of lookups 380 ms or more\./)
      .waitFor();
    await ui.screenshot('status-day');

    await page.getByText('Show as a table').click();
    const table = page.getByTestId('day-table-demo');
    const rows = await table.locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 24);
    assert.match(rows[23 - 5] ?? '', /connected\t0\t3\t0\t—/, 'documents counted in their hour');
    assert.match(rows[23 - 2] ?? '', /connected\t40\t0\t2\t380 ms/);
    assert.match(rows[23 - 8] ?? '', /paused or stopped/);
  },
);
