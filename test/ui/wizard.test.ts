import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { createConsentStore } from '../../src/main/integrations/registry.js';
import { startUi } from './ui-fixture.js';

test(
  'first run: the wizard connects with a token the hub accepts, tests a lookup, and the status turns connected',
  { timeout: 60_000 },
  async (t) => {
    const ui = await startUi(t);
    const { page } = ui;
    const token = ui.fx.mint('demo', 'acme');
    await page.goto(ui.bridge.url);

    await page.getByRole('heading', { name: 'Which environment?' }).waitFor();
    assert.equal(await page.getByRole('radio', { name: /^Demo/ }).isChecked(), true, 'first run starts with Demo');
    await ui.screenshot('wizard-1-environment');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: 'Connection token' }).waitFor();
    const box = page.getByLabel('Connection token', { exact: true });
    await box.fill(token);
    assert.equal(await box.getAttribute('type'), 'password', 'the pasted token is masked');
    await page.getByText('This is a Demo token').waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('platform-result');
    await result.getByText(`Connected to 127.0.0.1:${ui.fx.hub.port} as acme.`).waitFor();
    await ui.screenshot('wizard-2-token');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: 'Patient lookup' }).waitFor();
    assert.equal(await page.getByRole('radio', { name: /Demo patients/ }).isChecked(), true);
    const patient = demoDirectory().at(0);
    await page.getByLabel('Test patient’s number').fill(patient.localIdentifier);
    await page.getByRole('button', { name: 'Test lookup' }).click();
    const lookup = page.getByTestId('lookup-result');
    await lookup.getByText('Found.').waitFor();
    assert.match(
      await lookup.innerText(),
      new RegExp(patient.familyName, 'i'),
      'the test lookup shows the patient asked for',
    );
    await ui.screenshot('wizard-3-lookup');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: 'Consent documents' }).waitFor();
    const folder = path.join(ui.dir, 'consent-forms');
    mkdirSync(folder);
    await page.getByRole('radio', { name: /Folder or network share/ }).check();
    await page.getByLabel('Folder', { exact: true }).fill(folder);
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.getByTestId('store-result').getByText(`Wrote and removed a test file in ${folder}.`).waitFor();
    assert.deepEqual(readdirSync(folder), [], 'the test file is removed again');
    await ui.screenshot('wizard-4-documents');
    // Keep the folder only if this build can file into folders; otherwise finish without a store.
    let folderUsable = true;
    try {
      await createConsentStore({ type: 'folder', path: folder }, { configDir: ui.dir, environment: 'demo' }).close();
    } catch {
      folderUsable = false;
    }
    if (!folderUsable) await page.getByRole('radio', { name: /^None/ }).check();
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: 'Ready to start' }).waitFor();
    assert.equal(await page.getByLabel('Start Cloud Connector when I sign in').isChecked(), true, 'on by default');
    const summary = await page.locator('.summary').innerText();
    assert.ok(!summary.includes(token), 'the summary never shows the token');
    assert.ok(!(await page.content()).includes(patient.familyName), 'the test result is gone once the person moves on');
    await ui.screenshot('wizard-5-done');
    await page.getByRole('button', { name: 'Start' }).click();

    const state = page.getByTestId('state');
    await state.getByText(/Connected to Demo/).waitFor();
    assert.equal(await state.getAttribute('data-tone'), 'green');
    await ui.screenshot('status-connected');

    const setup = await ui.controller.handlers['setup.get']({ environment: 'demo' });
    assert.equal(setup.token.saved, true);
    assert.ok(!JSON.stringify(setup).includes(token), 'the saved token never comes back to the renderer');
  },
);

test('a token the hub does not know is reported as not accepted, in words', { timeout: 60_000 }, async (t) => {
  const ui = await startUi(t);
  const { page } = ui;
  await page.goto(ui.bridge.url);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Connection token', { exact: true }).fill(`cc_demo_${'x'.repeat(43)}`);
  await page.getByRole('button', { name: 'Test connection' }).click();
  const result = page.getByTestId('platform-result');
  await result.getByText('The token was not accepted.').waitFor();
  assert.match(await result.innerText(), /ask your platform contact for a new one/);
  await ui.screenshot('wizard-2-token-rejected');

  // A production token pasted for Demo is caught before anything is sent.
  await page.getByLabel('Connection token', { exact: true }).fill(ui.fx.mint('production'));
  await page.getByText('This token is for Production, but you chose Demo').waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page
    .getByRole('alert')
    .getByText(/Paste a token for Demo/)
    .waitFor();
});

test('the summary shows a typed proxy address without its password', { timeout: 60_000 }, async (t) => {
  const ui = await startUi(t);
  const { page } = ui;
  const password = 'Pr0xy-Secret-2026';
  await page.goto(ui.bridge.url);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Connection token', { exact: true }).fill(ui.fx.mint('demo'));
  await page.getByText('Network settings').click();
  await page.getByRole('radio', { name: /Use this proxy/ }).check();
  await page.getByRole('textbox', { name: 'Proxy address' }).fill(`http://clinic:${password}@proxy.clinic.test:8080`);
  for (const heading of ['Patient lookup', 'Consent documents', 'Ready to start']) {
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: heading }).waitFor();
  }
  const summary = await page.locator('.summary').innerText();
  assert.match(summary, /http:\/\/clinic:\*+@proxy\.clinic\.test:8080/);
  assert.ok(!summary.includes(password), 'the proxy password is not shown');

  // Started, the password is kept like the token: connector.json names it and never holds it.
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByTestId('state').waitFor();
  const configFile = path.join(ui.dir, 'app', 'demo', 'connector.json');
  const text = readFileSync(configFile, 'utf8');
  assert.ok(!text.includes(password), 'the proxy password is not in connector.json');
  const config = JSON.parse(text);
  assert.equal(config.proxy, 'http://clinic@proxy.clinic.test:8080');
  assert.deepEqual(config.proxyPassword, { stored: 'proxy.password' });
  const secretFile = path.join(ui.dir, 'app', 'demo', 'secrets', 'proxy.password');
  assert.equal(readFileSync(secretFile, 'utf8').trim(), password);
  // Opened again, the window sees the placeholder; saved again unchanged, the password stays.
  const view = await ui.controller.handlers['setup.get']({ environment: 'demo' });
  assert.equal(view.network.proxyUrl, 'http://clinic:********@proxy.clinic.test:8080');
  const again = await ui.controller.handlers['setup.save']({
    environment: 'demo',
    network: view.network,
    patientLookup: view.patientLookup,
    consentStore: view.consentStore,
    startAtLogin: true,
  });
  assert.equal(again.ok, true, again.message);
  assert.equal(readFileSync(secretFile, 'utf8').trim(), password);
  assert.deepEqual(JSON.parse(readFileSync(configFile, 'utf8')).proxyPassword, { stored: 'proxy.password' });
});
