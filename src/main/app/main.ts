// ELECTRON: the desktop app's main process. Wires the connector host (src/main/controller), the IPC
// contract and the app shell to Electron's objects. Everything it decides lives in pure, tested
// code; this file only connects things. Run in `npm test` as built (dist/main/app.cjs) with a
// recording stand-in for `electron` (test/app/main-process.test.ts).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { app, clipboard, dialog, type IpcMainInvokeEvent, ipcMain, safeStorage, session, shell } from 'electron';
import { CHANNEL_NAMES } from '../../shared/ipc/channels.js';
import { dispatchIpc } from '../../shared/ipc/dispatch.js';
import { ENVIRONMENTS } from '../../shared/protocol/index.js';
import { useSystemProxyLookup } from '../core/transport.js';
import { createProcessLogger } from '../logging/process-logger.js';
import { hostForApp, moveIntoService, setupsLeftInApp } from '../service/app-host.js';
import { execQuiet } from '../service/attach-decision.js';
import { defaultServiceDataDir, fileProtectionFor } from '../service/data-folder.js';
import { systemServiceControl } from '../service/service-control.js';
import { appFolders, moveRoamingSetup } from './app-folders.js';
import { AppShell } from './app-shell.js';
import { startConnectorHost } from './connector-host.js';
import { pickPathWithDialog } from './electron-folder-picker.js';
import { ElectronNotifier } from './electron-notifier.js';
import { ElectronTrayView } from './electron-tray-view.js';
import { ElectronWindowHost } from './electron-window-host.js';
import { readPlatformAddresses } from './platform-addresses.js';
import { SafeStorageSecretStore } from './safe-storage-secret-store.js';
import { ELEVATED_MOVE_ARG, ELEVATED_SETUP_ARG, type Prompts, ServiceMode } from './service-mode.js';
import { watchSessionAndPower } from './session-lifecycle.js';
import {
  claimSingleInstance,
  isNewerVersion,
  RunningInstanceFile,
  secondInstanceDataSchema,
} from './single-instance.js';

// Bundled to dist/main/app.cjs; assets and the renderer sit beside dist/ in the package.
const root = path.resolve(__dirname, '..', '..');
// Files Windows itself reads (a toast's picture) cannot be inside app.asar: they are unpacked.
const unpackedRoot = root.replace(/app\.asar$/, 'app.asar.unpacked');
// Notifications are attributed to the Start menu shortcut the MSI creates with this id.
const APP_ID = 'uk.co.cloudconnector.desktop';
const folders = appFolders(app.getPath('userData'));
const version = app.getVersion();
const running = new RunningInstanceFile(folders.dataDir);
// Started again elevated by a running instance attached to the service (service-mode.ts): take over.
const elevatedFor = [ELEVATED_SETUP_ARG, ELEVATED_MOVE_ARG].find((arg) => process.argv.includes(arg)) ?? null;

// 'second-instance' comes only after 'ready', but may come while the app is still starting: held
// until the shell can act on it.
const heldSecondInstances: unknown[] = [];
let onSecondInstance = (data: unknown) => void heldSecondInstances.push(data);
app.on('second-instance', (_event, _argv, _cwd, data) => onSecondInstance(data));

void claimSingleInstance(
  { request: (data) => app.requestSingleInstanceLock(data) },
  { version, runningVersion: () => running.read(), takeover: elevatedFor !== null },
).then((claim) => {
  // Same or older version, or an older one that did not hand over: it has been brought forward.
  if (claim === 'other-instance-running') app.quit();
  else void main(claim === 'handed-over');
});

async function main(tookOver: boolean): Promise<void> {
  app.setAppUserModelId(APP_ID);
  await app.whenReady();
  mkdirSync(folders.dataDir, { recursive: true });
  running.write(version);
  // Nothing the renderer asks for beyond the IPC contract: no camera, notifications, etc.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  // "Use Windows settings": each connection asks Chromium for its proxy (Internet Options, PAC, WPAD).
  useSystemProxyLookup((url) => session.defaultSession.resolveProxy(url));
  const logger = createProcessLogger({ dir: folders.logsDir, fileName: 'app.log' });
  logger.info('app starting', { version, takeover: tookOver });
  moveRoamingSetup(folders, logger);

  let shellRef: AppShell | null = null;
  const windows = new ElectronWindowHost({
    rendererDir: path.join(root, 'dist', 'renderer'),
    preloadFile: path.join(root, 'dist', 'preload', 'preload.cjs'),
    iconFile: path.join(root, 'assets', 'app-icon.png'),
    isQuitting: () => shellRef?.isQuitting ?? false,
    devTools: !app.isPackaged,
  });
  // Windows keeps the login item in the registry: read once, then remembered (the tray shows it).
  let openAtLogin = app.getLoginItemSettings().openAtLogin;
  const addresses = readPlatformAddresses(path.join(__dirname, 'platform.json'));
  const loginItem = {
    get: () => openAtLogin,
    set: (enabled: boolean) => {
      app.setLoginItemSettings({ openAtLogin: enabled });
      openAtLogin = enabled;
    },
  };
  const writeClipboard = (text: string) => clipboard.writeText(text);
  // A Cloud Connector service on this computer hosts the connector (it runs with nobody signed
  // in): the app attaches to it as its window. Without one, the app hosts it, as before.
  const hosted = await hostForApp({
    logger,
    loginItem,
    writeClipboard,
    pickPath: pickPathWithDialog,
    inProcess: () =>
      startConnectorHost({
        baseDir: folders.dataDir,
        secrets: new SafeStorageSecretStore(folders.dataDir, safeStorage),
        // null (a generic build): the wizard starts with an empty address.
        platformUrls: Object.fromEntries(ENVIRONMENTS.map((e) => [e, addresses[e] ?? ''])) as Record<
          (typeof ENVIRONMENTS)[number],
          string
        >,
        logsDir: folders.logsDir,
        logger,
        loginItem,
        openPath: async (dir) => {
          await shell.openPath(dir);
        },
        writeClipboard,
        pickPath: pickPathWithDialog,
        versions: { electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '' },
      }),
  });
  const host = hosted.controller;

  // Only the app's own page may call; every input is parsed with its channel's schema.
  const trusted = (event: IpcMainInvokeEvent) => event.senderFrame?.url.split('#')[0] === windows.pageUrl;
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(channel, (event, input) =>
      trusted(event)
        ? dispatchIpc(host.handlers, channel, input)
        : { ok: false, error: { code: 'unknown_channel', message: 'Refused.' } },
    );
  }

  const prompts: Prompts = {
    ask: async (message, yes, no) => {
      const { response } = await dialog.showMessageBox({
        type: 'question',
        title: 'Cloud Connector',
        message: 'Cloud Connector',
        detail: message,
        buttons: [yes, no],
        defaultId: 0,
        cancelId: 1,
      });
      return response === 0;
    },
    tell: async (message) => {
      await dialog.showMessageBox({
        type: 'info',
        title: 'Cloud Connector',
        message: 'Cloud Connector',
        detail: message,
        buttons: ['OK'],
      });
    },
  };
  const serviceDataDir = defaultServiceDataDir();
  const serviceMode: ServiceMode | null =
    hosted.mode === 'service'
      ? new ServiceMode({
          role: hosted.controller.role,
          platform: process.platform,
          exe: process.execPath,
          exec: execQuiet,
          prompts,
          handOver: (): Promise<void> => appShell.quit({ confirm: false, why: 'an elevated instance takes over' }),
          moveIntoService:
            hosted.controller.role === 'admin'
              ? () =>
                  moveIntoService({
                    from: {
                      baseDir: folders.dataDir,
                      secrets: new SafeStorageSecretStore(folders.dataDir, safeStorage),
                    },
                    to: { dataDir: serviceDataDir, protection: fileProtectionFor() },
                    service: systemServiceControl(execQuiet),
                    logger,
                  })
              : undefined,
        })
      : null;

  const trayHintFile = path.join(folders.dataDir, 'tray-hint-shown');
  const appShell = new AppShell({
    controller: host,
    windows,
    tray: new ElectronTrayView(
      path.join(root, 'assets', 'tray'),
      (id) => void appShell.onMenu(id),
      () => appShell.onTrayClick(),
    ),
    dialogs: {
      confirmQuit: async (message) => {
        const { response } = await dialog.showMessageBox({
          type: 'warning',
          title: 'Quit Cloud Connector?',
          message: 'Quit Cloud Connector?',
          detail: message,
          buttons: ['Quit', 'Keep running'],
          defaultId: 1,
          cancelId: 1,
        });
        return response === 0;
      },
    },
    openLogs: async () => {
      await shell.openPath(folders.logsDir);
    },
    notifier: new ElectronNotifier(path.join(root, 'assets', 'app-icon.png')),
    trayHint: {
      due: () => !existsSync(trayHintFile),
      shown: () => writeFileSync(trayHintFile, `${new Date().toISOString()}\n`),
      picture: path.join(unpackedRoot, 'assets', 'hints', 'keep-icon-visible.png'),
    },
    logger,
    service: serviceMode
      ? { role: serviceMode.role, askForAdmin: () => serviceMode.askForAdmin(ELEVATED_SETUP_ARG) }
      : undefined,
    quit: () => {
      // The connectors have drained: hand the lock to whoever waits for it (a newer version).
      running.remove();
      app.releaseSingleInstanceLock();
      app.exit(0);
    },
  });
  shellRef = appShell;
  appShell.start();
  if (serviceMode) {
    // Started elevated to set the service up: the wizard, now able to save. Else, once at start,
    // the app's own set-up (from before the service was installed) is offered to move into it.
    if (elevatedFor === ELEVATED_SETUP_ARG) windows.show('setup');
    const leftInApp = setupsLeftInApp(folders.dataDir);
    if (elevatedFor === ELEVATED_MOVE_ARG && serviceMode.role === 'admin') void serviceMode.move();
    else if (leftInApp.length > 0) void serviceMode.offerMove(leftInApp);
  }

  watchSessionAndPower({
    endNow: (why) => appShell.quit({ confirm: false, why }),
    isQuitting: () => appShell.isQuitting,
    reconnectNow: () => host.reconnect(),
    logger,
  });

  onSecondInstance = (data) => {
    const other = secondInstanceDataSchema.safeParse(data);
    if (other.success && other.data.takeover) {
      logger.info('started again elevated: handing over', {});
      void appShell.quit({ confirm: false, why: 'an elevated instance takes over' });
    } else if (other.success && isNewerVersion(other.data.version, version)) {
      logger.info('a newer version is starting: draining and handing over', { newVersion: other.data.version });
      void appShell.quit({ confirm: false, why: 'a newer version is starting' });
    } else {
      appShell.onTrayClick();
    }
  };
  for (const data of heldSecondInstances.splice(0)) onSecondInstance(data);

  // The app lives in the tray: closing every window does not quit.
  app.on('window-all-closed', () => undefined);
  // Quitting always goes through the shell, which drains the connectors and then calls app.exit().
  // Once the shell is draining (session end, takeover, installer), Electron's own quit is let
  // begin: at Windows session end Electron 45 terminates the process the moment the session-end
  // handlers return unless a quit has begun (Browser::is_quitting(), electron#52604), and a
  // prevented before-quit does not count. will-quit is held instead, so the drain can finish.
  app.on('before-quit', (event) => {
    if (appShell.isQuitting) return;
    event.preventDefault();
    void appShell.quit();
  });
  app.on('will-quit', (event) => event.preventDefault());
}
