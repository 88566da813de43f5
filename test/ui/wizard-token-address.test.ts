// The token step shows where the token will go before anything is sent (PROTOCOL §9, UX.md): a
// token pasted with its platform address shows "Platform: <host>"; with no address anywhere the
// person is asked for it in words; a saved token going a new way needs an explicit tick.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { type TestContext, test } from 'node:test';
import { tokenWithAddress } from '../../src/shared/ipc/token-format.js';
import { startUi } from './ui-fixture.js';

/** A listener that would read whatever is sent to it. */
async function elsewhere(t: TestContext): Promise<{ port: number; received: () => number }> {
  let bytes = 0;
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.on('data', (d) => {
      bytes += d.length;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as { port: number }).port, received: () => bytes + connections };
}

test(
  'a token pasted with its address shows the platform in words at once, and connects only there',
  { timeout: 60_000 },
  async (t) => {
    // A build with no platform address built in: the token brings it.
    const ui = await startUi(t, { platformUrls: { demo: null, production: null } });
    const { page } = ui;
    const other = await elsewhere(t);
    await page.goto(ui.bridge.url);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Connection token' }).waitFor();
    const box = page.getByLabel('Connection token', { exact: true });
    const host = page.getByTestId('platform-host');

    const token = ui.fx.mint('demo', 'acme');
    await box.fill(tokenWithAddress(token, `ws://127.0.0.1:${other.port}/connector/v1`));
    await host.getByText(`Platform: 127.0.0.1:${other.port}`).waitFor();
    await page.getByText('This is a Demo token').waitFor();
    assert.equal(other.received(), 0, 'shown before anything is sent');
    await page.getByText('Network settings').click();
    assert.equal(
      await page.getByRole('textbox', { name: 'Platform address' }).inputValue(),
      `ws://127.0.0.1:${other.port}/connector/v1`,
      'the address under Network settings is the token’s',
    );

    await box.fill(tokenWithAddress(token, ui.fx.hub.wsUrl));
    await host.getByText(`Platform: 127.0.0.1:${ui.fx.hub.port}`).waitFor();
    assert.match(await host.innerText(), /from the token/);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByTestId('platform-result').getByText(`Connected to 127.0.0.1:${ui.fx.hub.port} as acme.`).waitFor();
    await ui.screenshot('wizard-2-token-address');
    assert.equal(other.received(), 0, 'nothing ever went to the first address');
    const html = await page.content();
    assert.ok(!html.includes('platform.example'), 'no placeholder address anywhere on the page');
  },
);

test(
  'with no address in the token and none built in, the person is asked for it in words',
  { timeout: 60_000 },
  async (t) => {
    const ui = await startUi(t, { platformUrls: { demo: null, production: 'wss://platform.example/connector/v1' } });
    const { page } = ui;
    await page.goto(ui.bridge.url);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Connection token', { exact: true }).fill(ui.fx.mint('demo'));
    await page
      .getByTestId('platform-host')
      .getByText(/does not say which platform it is for/)
      .waitFor();
    const address = page.getByRole('textbox', { name: 'Platform address' });
    assert.equal(await address.isVisible(), true, 'Network settings open where the address goes');
    assert.equal(await address.inputValue(), '');
    // Tall enough for the open Network settings, so the Back/Next bar does not cover them.
    await page.setViewportSize({ width: 800, height: 1_200 });
    await ui.screenshot('wizard-2-token-no-address');
    await page.setViewportSize({ width: 800, height: 600 });
    await page.getByRole('button', { name: 'Next' }).click();
    await page
      .getByRole('alert')
      .getByText(/Type the platform address under Network settings/)
      .waitFor();
    await page.getByRole('heading', { name: 'Connection token' }).waitFor();

    await address.fill(ui.fx.hub.wsUrl);
    await page.getByTestId('platform-host').getByText(`Platform: 127.0.0.1:${ui.fx.hub.port}`).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Patient lookup' }).waitFor();

    // Production's built-in address is only a placeholder: never offered.
    const view = await ui.controller.handlers['setup.get']({ environment: 'production' });
    assert.equal(view.network.platformUrl, '');
  },
);

test(
  'a saved token going to a changed proxy needs the token again or an explicit tick',
  { timeout: 60_000 },
  async (t) => {
    const ui = await startUi(t);
    const { page } = ui;
    const network = { platformUrl: ui.fx.hub.wsUrl, proxyMode: 'system' as const };
    const saved = await ui.controller.handlers['setup.save']({
      environment: 'demo',
      token: ui.fx.mint('demo'),
      network,
      patientLookup: { type: 'demo' },
      consentStore: null,
      startAtLogin: false,
    });
    assert.equal(saved.ok, true, saved.message);
    await page.goto(ui.bridge.url);
    await page.getByRole('button', { name: 'Set up…' }).first().click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Connection token' }).waitFor();
    await page.getByTestId('platform-host').getByText(`Platform: 127.0.0.1:${ui.fx.hub.port}`).waitFor();
    const tick = page.getByLabel('Send the saved token this way');
    assert.equal(await tick.isVisible(), false, 'nothing to confirm while nothing changed');

    await page.getByText('Network settings').click();
    await page.getByRole('radio', { name: /Use this proxy/ }).check();
    await page.getByRole('textbox', { name: 'Proxy address' }).fill('http://proxy.clinic.test:8080');
    await tick.waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page
      .getByTestId('platform-result')
      .getByText(/^The proxy is not the one saved with the connection token/)
      .waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page
      .getByRole('alert')
      .getByText(/tick “Send the saved token this way”/)
      .waitFor();
    await tick.check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Patient lookup' }).waitFor();
  },
);
