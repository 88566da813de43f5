// A real hub on loopback, a real AppController (real connectors, config files in a temp dir),
// the preview bridge, and Debian's Chromium driven by playwright-core: the UI tests' whole world.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { AppController, type ControllerOptions } from '../../src/main/controller/app-controller.js';
import { type Bridge, startBridge } from '../../src/main/controller/bridge-server.js';
import { FileSecretStore } from '../../src/main/controller/secret-store.js';
import { FAST_TIMERS } from '../helpers/connector-fixture.js';
import { type HubFixture, startTestHub } from '../helpers/hub-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results', 'ui');
/** With UPDATE_SCREENSHOTS=1 the pictures the README shows are written again too. */
const README_SCREENSHOTS = path.resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');

export interface UiFixture {
  fx: HubFixture;
  controller: AppController;
  bridge: Bridge;
  browser: Browser;
  page: Page;
  dir: string;
  screenshot(name: string): Promise<void>;
}

let built: Promise<string> | null = null;

/** Builds the renderer and the bridge client once per test file, into a folder of its own. */
export function buildRenderer(t: TestContext): Promise<string> {
  built ??= (async () => {
    const out = tempDir({ after: (fn: () => void) => process.once('exit', fn) }, 'cc-ui-build-');
    const bundles = await import(
      pathToFileURL(path.resolve(import.meta.dirname, '../../scripts/app-bundles.mjs')).href
    );
    await Promise.all([bundles.bundleRenderer(out), bundles.bundlePreviewClient(out)]);
    return out;
  })();
  void t;
  return built;
}

export async function startUi(t: TestContext, options: Partial<ControllerOptions> = {}): Promise<UiFixture> {
  const [fx, rendererDir] = await Promise.all([startTestHub(t), buildRenderer(t)]);
  const dir = tempDir(t, 'cc-ui-');
  const controller = await AppController.create({
    baseDir: path.join(dir, 'app'),
    secrets: new FileSecretStore(path.join(dir, 'app')),
    platformUrls: { demo: fx.hub.wsUrl, production: fx.hub.wsUrl },
    logsDir: path.join(dir, 'logs'),
    configExtras: { timers: FAST_TIMERS },
    sourceCheckMs: 500,
    probeTimeoutMs: 5_000,
    ...options,
  });
  const bridge = await startBridge({
    controller,
    rendererDir,
    bridgeClientFile: path.join(rendererDir, 'bridge-client.js'),
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  // Closed in reverse: the browser first, then the bridge, then the connectors (hub last, by its fixture).
  t.after(async () => {
    await browser.close();
    await bridge.close();
    await controller.close();
  });
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  // Generous: typing a 50-character token key by key into a real browser on two busy cores can take
  // seconds; each test still has its own 60 s limit.
  page.setDefaultTimeout(20_000);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    fx,
    controller,
    bridge,
    browser,
    page,
    dir,
    screenshot: async (name) => {
      // The whole page, with the sticky Back/Next bar placed after the content rather than over it.
      // Through the CSSOM: the page's CSP refuses the style element Playwright's `style` option adds.
      const setNav = (position: string) =>
        page.evaluate(`document.querySelectorAll('.nav').forEach((n) => { n.style.position = '${position}'; })`);
      await setNav('static');
      const shot = await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
      await setNav('');
      if (process.env.UPDATE_SCREENSHOTS === '1') writeFileSync(path.join(README_SCREENSHOTS, `${name}.png`), shot);
    },
  };
}
