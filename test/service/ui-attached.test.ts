// The real renderer in Chromium, once against the service: the preview bridge hosts a client
// attached to `cloud-connector service` (a child process) instead of an in-process controller,
// so every click crosses the control channel. First run as admin (the wizard), then the status
// window as a viewer through a service restart.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { type Bridge, startBridge } from '../../src/main/controller/bridge-server.js';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import type { Role } from '../../src/main/service/control-keys.js';
import { buildRenderer, CHROMIUM } from '../ui/ui-fixture.js';
import { demoSetup, type ServiceFixture, startService, waitForDemo } from './service-fixture.js';

async function openUi(t: Parameters<typeof startService>[0], svc: ServiceFixture, role: Role) {
  const rendererDir = await buildRenderer(t);
  const controller = await svc.attach(role);
  const bridge: Bridge = await startBridge({
    controller,
    rendererDir,
    bridgeClientFile: path.join(rendererDir, 'bridge-client.js'),
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  t.after(async () => {
    await browser.close();
    await bridge.close();
  });
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  page.setDefaultTimeout(20_000);
  return { controller, bridge, page };
}

test(
  'first run against the service: the wizard sets it up and the status turns connected',
  { timeout: 90_000 },
  async (t) => {
    const svc = await startService(t);
    const { page, bridge, controller } = await openUi(t, svc, 'admin');
    const token = svc.fx.mint('demo');
    await page.goto(bridge.url);

    await page.getByRole('heading', { name: 'Which environment?' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Connection token' }).waitFor();
    await page.getByLabel('Connection token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByTestId('platform-result').getByText(`Connected to 127.0.0.1:${svc.fx.hub.port} as acme.`).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: 'Patient lookup' }).waitFor();
    const patient = demoDirectory().at(40);
    await page.getByLabel('Test patient’s number').fill(patient.localIdentifier);
    await page.getByRole('button', { name: 'Test lookup' }).click();
    await page.getByTestId('lookup-result').getByText('Found.').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Consent documents' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Ready to start' }).waitFor();
    await page.getByRole('button', { name: 'Start' }).click();

    const state = page.getByTestId('state');
    await state.getByText(/Connected to Demo/).waitFor();
    assert.equal(await state.getAttribute('data-tone'), 'green');
    // It is the service that connected: its own folder holds the set-up and the token.
    const setup = await controller.handlers['setup.get']({ environment: 'demo' });
    assert.equal(setup.token.saved, true);
    assert.equal(setup.secretStorage, 'a file that only the Cloud Connector service can read');
    assert.equal((await svc.fx.call('patient.lookup', { identificationNumber: patient.localIdentifier })).status, 200);
  },
);

test(
  'the status window as a viewer: calls, no changes without admin rights, and a service restart',
  { timeout: 120_000 },
  async (t) => {
    const svc = await startService(t);
    const admin = await svc.attach('admin');
    assert.equal((await admin.handlers['setup.save'](demoSetup(svc.fx, svc.fx.mint('demo')))).ok, true);
    await waitForDemo(admin, 'connected');
    const { page, bridge } = await openUi(t, svc, 'viewer');
    await page.goto(`${bridge.url}#status`);
    const state = page.getByTestId('state');
    await state.getByText(/Connected to Demo/).waitFor();

    const patient = demoDirectory().at(41);
    assert.equal((await svc.fx.call('patient.lookup', { identificationNumber: patient.localIdentifier })).status, 200);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="calls"] tbody tr').length >= 1);
    assert.ok(!(await page.content()).includes(patient.familyName), 'no patient detail on screen');

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText(/needs administrator rights/).waitFor();
    assert.equal(await state.getAttribute('data-tone'), 'green', 'a viewer cannot pause');

    await svc.handle.stop(45_000);
    await state.getByText(/Connecting to Demo/).waitFor();
    assert.equal(await state.getAttribute('data-tone'), 'amber');
    await page
      .getByTestId('warnings')
      .getByText('The Cloud Connector service is not answering; trying again.')
      .waitFor();
    await svc.restart();
    await state.getByText(/Connected to Demo/).waitFor({ timeout: 30_000 });
    assert.equal(await state.getAttribute('data-tone'), 'green');
  },
);
