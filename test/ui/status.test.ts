import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHub } from '../../src/hub/hub-server.js';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import type { SetupInput } from '../../src/shared/ipc/channels.js';
import { API_KEY } from '../helpers/hub-fixture.js';
import { startUi, type UiFixture } from './ui-fixture.js';

function setup(ui: UiFixture, environment: 'demo' | 'production', token: string, extra: Partial<SetupInput> = {}) {
  return ui.controller.handlers['setup.save']({
    environment,
    token,
    network: { platformUrl: ui.fx.hub.wsUrl, proxyMode: 'system' },
    patientLookup: { type: 'demo' },
    consentStore: null,
    startAtLogin: true,
    ...extra,
  });
}

async function tone(ui: UiFixture, expected: string, text: RegExp): Promise<void> {
  const state = ui.page.getByTestId('state');
  await state.getByText(text).waitFor();
  assert.equal(await state.getAttribute('data-tone'), expected);
}

test('stopping the hub turns the status amber, and green again when it returns', { timeout: 60_000 }, async (t) => {
  const ui = await startUi(t);
  assert.equal((await setup(ui, 'demo', ui.fx.mint('demo'))).ok, true);
  await ui.page.goto(`${ui.bridge.url}#status`);
  await tone(ui, 'green', /Connected to Demo/);

  const port = ui.fx.hub.port;
  await ui.fx.hub.close({ graceful: false });
  await tone(ui, 'amber', /Reconnecting to Demo/);
  assert.match(await ui.page.getByTestId('state').innerText(), /firewall or proxy/);
  await ui.screenshot('status-reconnecting');

  const again = await startHub({ port, host: '127.0.0.1', tokensFile: ui.fx.tokensFile, apiKeys: [API_KEY] });
  t.after(() => again.close({ graceful: false }));
  await tone(ui, 'green', /Connected to Demo/);
  assert.match(await ui.page.getByTestId('announcer').innerText(), /^Demo: connected/, 'the change is announced');
});

test(
  'the calls list fills as lookups go through the hub, and never shows an identifier',
  { timeout: 60_000 },
  async (t) => {
    const ui = await startUi(t);
    assert.equal((await setup(ui, 'demo', ui.fx.mint('demo'))).ok, true);
    await ui.page.goto(`${ui.bridge.url}#status`);
    await tone(ui, 'green', /Connected to Demo/);

    const patients = [demoDirectory().at(1), demoDirectory().at(2), demoDirectory().at(3)];
    for (const p of patients) {
      const res = await ui.fx.call('patient.lookup', { identificationNumber: p.localIdentifier });
      assert.equal(res.status, 200);
    }
    await ui.fx.call('patient.lookup', { identificationNumber: patients[0]?.nationalIdentifier });
    await ui.fx.call('patient.lookup', { identificationNumber: 'zz-no-such-patient' });

    const rows = ui.page.getByTestId('calls').locator('tbody tr');
    await ui.page.waitForFunction(() => document.querySelectorAll('[data-testid="calls"] tbody tr').length >= 5);
    assert.equal(await rows.count(), 5);
    assert.match(await rows.first().innerText(), /Patient lookup\s+Not found\s+\d+ ms/);
    const counts = await ui.page.getByTestId('counts').innerText();
    assert.match(counts, /Lookups\s+5/);
    assert.match(counts, /Errors\s+0/);

    await ui.page.getByRole('button', { name: 'Copy diagnostics' }).click();
    await ui.page.getByText('Diagnostics copied to the clipboard').waitFor();
    await ui.screenshot('status-calls');

    const html = await ui.page.content();
    const diagnostics = await ui.page.locator('textarea.diagnostics').inputValue();
    assert.match(diagnostics, /\[Demo\]\nstate: connected/);
    for (const p of patients) {
      for (const value of [p.localIdentifier, p.nationalIdentifier, p.familyName, p.dateOfBirth]) {
        assert.ok(value && !html.includes(value), 'the status window shows no patient detail');
        assert.ok(value && !diagnostics.includes(value), 'diagnostics hold no patient detail');
      }
    }
    assert.ok(!html.includes('zz-no-such-patient') && !diagnostics.includes('zz-no-such-patient'));
    assert.ok(!/cc_demo_/.test(html) && !/cc_demo_/.test(diagnostics), 'no token anywhere');
  },
);

test(
  'rejected, paused, not set up, source down and two environments each look right',
  { timeout: 60_000 },
  async (t) => {
    const ui = await startUi(t);
    await ui.page.goto(`${ui.bridge.url}#status`);
    await tone(ui, 'grey', /Cloud Connector is not set up/);
    await ui.screenshot('status-not-set-up');

    // A token the hub has never issued: red, with what to do.
    assert.equal((await setup(ui, 'demo', `cc_demo_${'q'.repeat(43)}`)).ok, true);
    await tone(ui, 'red', /The token was not accepted by Demo/);
    assert.match(await ui.page.getByTestId('state').innerText(), /ask your platform contact for a new one/);
    await ui.screenshot('status-rejected');

    assert.equal((await setup(ui, 'demo', ui.fx.mint('demo'))).ok, true);
    await tone(ui, 'green', /Connected to Demo/);
    await ui.page.getByRole('button', { name: 'Pause' }).click();
    await tone(ui, 'grey', /Demo is paused/);
    await ui.screenshot('status-paused');
    await ui.page.getByRole('button', { name: 'Resume' }).click();
    await tone(ui, 'green', /Connected to Demo/);

    // Production beside Demo, with a patient system that does not answer: amber, one row each.
    const fhirDown = {
      type: 'fhir',
      baseUrl: 'http://127.0.0.1:9/fhir',
      identifierSystems: { local: 'https://example.org/mrn' },
    };
    const saved = await setup(ui, 'production', ui.fx.mint('production'), { patientLookup: fhirDown });
    assert.equal(saved.ok, true, saved.message);
    await tone(ui, 'amber', /Connected to Production, but the patient system is not reachable/);
    const rows = ui.page.getByRole('list', { name: 'Environments' });
    await rows.getByText('connected, patient system not reachable').waitFor();
    assert.match(await rows.innerText(), /Demo\s+connected/);
    await ui.page.getByTestId('warnings').getByText('Production: the patient system is not answering.').waitFor();
    await ui.screenshot('status-two-environments');
  },
);
