// Shared moves of the form tests: through the first two steps with a real token, and typing into a
// labelled field key by key (as a person at the keyboard does), never by setting its value.
import type { Locator, Page } from 'playwright-core';
import type { UiFixture } from './ui-fixture.js';

export async function toLookupStep(ui: UiFixture): Promise<void> {
  const { page } = ui;
  await page.goto(ui.bridge.url);
  await page.getByRole('heading', { name: 'Which environment?' }).waitFor();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Connection token' }).waitFor();
  await page.getByLabel('Connection token', { exact: true }).fill(ui.fx.mint('demo'));
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Patient lookup' }).waitFor();
}

/** Focuses the field and types the text key by key, replacing what was there. */
export async function typeInto(field: Locator, text: string): Promise<void> {
  await field.focus();
  await field.press('ControlOrMeta+a');
  await field.press('Delete');
  await field.pressSequentially(text);
}

/** Inside the section of the step; labels such as "Server" exist once per shown form. */
export function labelled(page: Page, label: string): Locator {
  return page.locator('.step-body').getByLabel(label, { exact: true });
}

/** Next, step after step, each time waiting for the step's heading. */
export async function nextThrough(ui: UiFixture, ...headings: string[]): Promise<void> {
  for (const heading of headings) {
    await ui.page.getByRole('button', { name: 'Next' }).click();
    await ui.page.getByRole('heading', { name: heading }).waitFor();
  }
}

/** Steps 1–2, then the Database form of step 3. */
export async function toDatabaseForm(ui: UiFixture): Promise<void> {
  await toLookupStep(ui);
  await ui.page.getByRole('radio', { name: /^Database/ }).check();
}
