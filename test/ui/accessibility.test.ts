import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { startUi } from './ui-fixture.js';

/** No sideways scrolling: the page fits its window's width. */
async function fitsWidth(page: Page, where: string): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= width, `${where}: ${scroll}px wide in a ${width}px window`);
}

test('the wizard works with the keyboard alone: Enter, Space, Tab and Escape', { timeout: 60_000 }, async (t) => {
  const ui = await startUi(t);
  const { page } = ui;
  await page.goto(ui.bridge.url);
  await page.getByRole('heading', { name: 'Which environment?' }).waitFor();
  const focused = () =>
    page.evaluate(() => document.activeElement?.getAttribute('value') ?? document.activeElement?.textContent);
  await settles(() => focused(), 'demo', 'focus starts on the chosen environment');
  await page.keyboard.press('ArrowDown');
  await settles(() => page.getByRole('radio', { name: /^Production/ }).isChecked(), true, 'arrow keys choose');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Connection token' }).waitFor();
  await settles(() => page.evaluate(() => document.activeElement?.tagName), 'H2', 'focus moves to the new step');

  await page.keyboard.press('Tab');
  await page.keyboard.type(ui.fx.mint('demo'));
  await page.getByText('This is a Demo token').waitFor();
  await page.keyboard.press('Tab');
  await settles(() => focused(), 'Show');
  await page.keyboard.press('Space');
  await settles(
    () => page.getByLabel('Connection token', { exact: true }).getAttribute('type'),
    'text',
    'Show reveals',
  );
  await settles(() => page.getByRole('button', { name: 'Hide' }).getAttribute('aria-pressed'), 'true');
  await settles(
    () => page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle),
    'solid',
    'the focused control is visibly marked',
  );
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page
    .getByTestId('platform-result')
    .getByText(/^Connected to/)
    .waitFor();

  await page.keyboard.press('Escape');
  await page.getByTestId('state').getByText('Cloud Connector is not set up').waitFor();
  assert.equal(
    await ui.controller.handlers['setup.get']({ environment: 'demo' }).then((v) => v.exists),
    false,
    'Escape cancels: nothing was saved',
  );
});

test('at 200 % zoom in an 800×600 window nothing needs sideways scrolling', { timeout: 60_000 }, async (t) => {
  const ui = await startUi(t);
  // 200 % zoom of 800×600 lays out like a 400×300 window with twice the pixels.
  const page = await ui.browser.newPage({ viewport: { width: 400, height: 300 }, deviceScaleFactor: 2 });
  await page.goto(ui.bridge.url);
  const steps = ['Which environment?', 'Connection token', 'Patient lookup', 'Consent documents', 'Ready to start'];
  for (const [i, heading] of steps.entries()) {
    await page.getByRole('heading', { name: heading }).waitFor();
    if (i === 1) await page.getByLabel('Connection token', { exact: true }).fill(ui.fx.mint('demo'));
    await fitsWidth(page, heading);
    if (i === 2) await page.screenshot({ path: `${ui.dir}/zoom.png` });
    if (i < steps.length - 1) await page.getByRole('button', { name: 'Next' }).click();
  }
  await page.screenshot({ path: 'test-results/ui/wizard-zoom-200.png', fullPage: true });
  await page.getByRole('button', { name: 'Start' }).click();
  await page
    .getByTestId('state')
    .getByText(/Connected to Demo/)
    .waitFor();
  await ui.fx.call('patient.lookup', { identificationNumber: 'nobody' });
  await page.getByTestId('calls').locator('tbody tr').first().waitFor();
  await fitsWidth(page, 'status');
  await page.screenshot({ path: 'test-results/ui/status-zoom-200.png', fullPage: true });
});

test(
  'at 200 % zoom the database form with its column mapping, and the 24-hour strip with its table, fit the window',
  { timeout: 90_000 },
  async (t) => {
    const ui = await startUi(t);
    const file = path.join(ui.dir, 'patients.sqlite');
    const db = new Database(file);
    db.exec(`CREATE TABLE patient (hospital_no TEXT, forename TEXT, surname TEXT, dob TEXT, sex TEXT, test_flag TEXT);
      INSERT INTO patient VALUES ('z1', 'A', 'B', '2001-01-01', 'U', 'Y');`);
    db.close();
    const page = await ui.browser.newPage({ viewport: { width: 400, height: 300 }, deviceScaleFactor: 2 });
    await page.goto(ui.bridge.url);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Connection token', { exact: true }).fill(ui.fx.mint('demo'));
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('radio', { name: /^Database/ }).check();
    await page.getByLabel('Database kind').selectOption('sqlite');
    await page.getByLabel('Database file').fill(file);
    await page
      .getByLabel('Query (:id is where the patient’s number goes)')
      .fill('SELECT * FROM patient WHERE hospital_no = :id');
    await page.getByLabel('Test patient’s number').fill('z1');
    await page.getByRole('button', { name: 'Run with the test patient' }).click();
    await page.getByTestId('mapping-result').waitFor();
    await fitsWidth(page, 'database form');
    await page.screenshot({ path: 'test-results/ui/wizard-database-zoom-200.png', fullPage: true });
    for (const heading of ['Consent documents', 'Ready to start']) {
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('heading', { name: heading }).waitFor();
    }
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByTestId('day-demo').waitFor();
    await page.getByText('Show as a table').click();
    await fitsWidth(page, 'status with the 24-hour table');
    await page.screenshot({ path: 'test-results/ui/status-day-zoom-200.png', fullPage: true });
  },
);

const CONTRAST_SCRIPT = `(() => {
  const luminance = (css) => {
    const [r, g, b] = (css.match(/[0-9.]+/g) || []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const out = {};
  const classes = ['state state--green', 'state state--amber', 'state state--red', 'state state--grey',
    'result result--ok', 'result result--bad', 'warning', 'hint', 'call--error', 'token-check--ok', 'token-check--bad',
    'field-error', 'mapping-status mapping-status--ok', 'mapping-status mapping-status--failed', 'day__readout'];
  for (const className of classes) {
    const el = document.createElement('div');
    el.className = className;
    el.textContent = 'Sample';
    document.body.append(el);
    const style = getComputedStyle(el);
    let bg = style.backgroundColor;
    if (bg === 'rgba(0, 0, 0, 0)') bg = getComputedStyle(document.body).backgroundColor;
    out[className] = contrast(style.color, bg);
    el.remove();
  }
  return out;
})()`;

test('state colours and messages meet WCAG AA contrast', { timeout: 60_000 }, async (t) => {
  const ui = await startUi(t);
  await ui.page.goto(`${ui.bridge.url}#status`);
  await ui.page.getByTestId('state').waitFor();
  // A string, not a function: the test loader's helpers do not exist inside the page.
  const ratios = (await ui.page.evaluate(CONTRAST_SCRIPT)) as Record<string, number>;
  assert.equal(Object.keys(ratios).length, 15);
  for (const [className, ratio] of Object.entries(ratios)) {
    assert.ok(ratio >= 4.5, `${className}: contrast ${ratio.toFixed(2)} is below 4.5`);
  }
});

/** Focus and re-rendering follow a key press asynchronously: wait (briefly) for the expected value. */
async function settles(read: () => Promise<unknown>, expected: unknown, message?: string): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 100; i++) {
    last = await read();
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(last, expected, message);
}
