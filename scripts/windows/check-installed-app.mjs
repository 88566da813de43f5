// Starts the INSTALLED app (the exe the MSI put under Program Files) with Playwright's Electron
// support, on the Windows runner of .github/workflows/release.yml, and checks what a clinic sees on
// first start: the wizard window and its IPC, the hidden window that hears sign-out and shutdown, a tray app
// that keeps running with its window closed, the audit log's native module loading inside Electron,
// and Node ≥ 24.5 with the Windows certificate store readable.
//   node scripts/windows/check-installed-app.mjs <path-to-cloud-connector.exe> <artifacts-dir>
// Needs the exe's EnableNodeCliInspectArguments fuse on (the workflow flips it on the installed copy
// in the test job only; the MSI ships it off). No other instance may run: the single-instance lock
// would make this one quit at once.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { _electron as electron } from 'playwright-core';

const [exe, artifacts = 'app-check'] = process.argv.slice(2);
if (!exe) throw new Error('usage: check-installed-app.mjs <exe> [artifacts-dir]');
mkdirSync(artifacts, { recursive: true });
const report = {};
const check = (name, ok, detail) => {
  report[name] = { ok, detail };
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}`);
  if (!ok) process.exitCode = 1;
};

const app = await electron.launch({ executablePath: exe, timeout: 60_000 });
try {
  const wizard = await app.firstWindow({ timeout: 60_000 });
  await wizard.waitForSelector('#wizard-title', { timeout: 30_000 });
  check('the wizard opens on first start', true, await wizard.textContent('#wizard-title'));
  await wizard.screenshot({ path: path.join(artifacts, 'wizard.png') });

  // Main answers IPC only from the page whose address equals the one it computed for index.html
  // (pathToFileURL); on Windows Chromium's own form of that file:// address (drive letter, %20 for
  // the space in "Program Files") must match it, or every button in the wizard is refused.
  const ipc = await wizard.evaluate(async () => {
    try {
      const status = await window.connectorApi['status.get']({});
      return { ok: true, environments: status.environments.length };
    } catch (error) {
      return { ok: false, error: String(error?.message ?? error) };
    }
  });
  check('the wizard reaches the main process over IPC', ipc.ok && ipc.environments > 0, ipc);

  // BaseWindow lists the hidden session window too (a native window with no page).
  const windows = await app.evaluate(({ BaseWindow }) =>
    BaseWindow.getAllWindows().map((w) => ({ visible: w.isVisible(), url: w.webContents?.getURL() ?? '' })),
  );
  check(
    'one visible window, on the wizard',
    windows.filter((w) => w.visible).length === 1 && windows.some((w) => w.visible && w.url.endsWith('#setup')),
    windows,
  );
  check(
    'a hidden window for session end',
    windows.some((w) => !w.visible),
    windows.length,
  );

  const runtime = await app.evaluate(async () => {
    const load = process.mainModule.require;
    const Database = load('better-sqlite3');
    const db = new Database(':memory:');
    const sqlite = db.prepare('select sqlite_version() as v').get().v;
    db.close();
    return {
      node: process.versions.node,
      electron: process.versions.electron,
      sqlite,
      systemCerts: load('node:tls').getCACertificates('system').length,
      packaged: load('electron').app.isPackaged,
    };
  });
  // The SQLite patient source queries in worker threads, which load better-sqlite3 from
  // app.asar.unpacked (src/main/integrations/sql/sqlite-driver.ts). Whether a worker could read it
  // inside app.asar is reported too, for the README.
  const workers = await app.evaluate(async () => {
    const load = process.mainModule.require;
    const { Worker } = load('node:worker_threads');
    const inAsar = load.resolve('better-sqlite3');
    const tryIn = (modulePath) =>
      new Promise((resolve) => {
        const code =
          "const { parentPort, workerData } = require('node:worker_threads');" +
          'const Database = require(workerData);' +
          "const db = new Database(':memory:');" +
          "parentPort.postMessage(db.prepare('select 1 as ok').get().ok);";
        const worker = new Worker(code, { eval: true, workerData: modulePath });
        worker.once('message', (ok) => resolve({ ok: ok === 1 }));
        worker.once('error', (error) => resolve({ ok: false, error: String(error?.code ?? error?.message ?? error) }));
      });
    return {
      unpacked: await tryIn(inAsar.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2')),
      insideAsar: await tryIn(inAsar),
    };
  });
  check('better-sqlite3 loads in a worker thread from app.asar.unpacked', workers.unpacked.ok, workers.unpacked);
  console.log(`info: a worker thread reading better-sqlite3 inside app.asar: ${JSON.stringify(workers.insideAsar)}`);
  report.workerInsideAsar = workers.insideAsar;

  const [major, minor] = runtime.node.split('.').map(Number);
  check('Node ≥ 24.5 inside Electron', major > 24 || (major === 24 && minor >= 5), runtime.node);
  check('better-sqlite3 loads inside the packaged Electron', typeof runtime.sqlite === 'string', runtime.sqlite);
  check('the Windows certificate store is readable', runtime.systemCerts > 0, runtime.systemCerts);
  check('running packaged', runtime.packaged === true);

  // Closing the window keeps the app in the tray.
  await app.evaluate(({ BrowserWindow }) => {
    for (const w of BrowserWindow.getAllWindows()) if (w.isVisible()) w.close();
  });
  await new Promise((r) => setTimeout(r, 5_000));
  const still = await app.evaluate(({ BaseWindow }) => ({
    pid: process.pid,
    visible: BaseWindow.getAllWindows().filter((w) => w.isVisible()).length,
    hidden: BaseWindow.getAllWindows().filter((w) => !w.isVisible()).length,
  }));
  check('still running in the tray with the window closed', still.visible === 0 && still.hidden >= 1, still);
} finally {
  writeFileSync(path.join(artifacts, 'check-installed-app.json'), `${JSON.stringify(report, null, 2)}\n`);
  await app.close().catch(() => undefined);
}
