// ELECTRON: the desktop app's main process. Wires the controller (src/main/controller), the IPC
// contract and the app shell to Electron's objects. Everything it decides lives in pure, tested
// code; this file only connects things.
import path from 'node:path';
import { app, clipboard, dialog, type IpcMainInvokeEvent, ipcMain, safeStorage, session, shell } from 'electron';
import { CHANNEL_NAMES } from '../../shared/ipc/channels.js';
import { dispatchIpc } from '../../shared/ipc/dispatch.js';
import { AppController } from '../controller/app-controller.js';
import { defaultPlatformUrls } from '../controller/defaults.js';
import { createProcessLogger } from '../logging/process-logger.js';
import { AppShell } from './app-shell.js';
import { pickPathWithDialog } from './electron-folder-picker.js';
import { ElectronTrayView } from './electron-tray-view.js';
import { ElectronWindowHost } from './electron-window-host.js';
import { SafeStorageSecretStore } from './safe-storage-secret-store.js';

// Bundled to dist/main/app.cjs; assets and the renderer sit beside dist/ in the package.
const root = path.resolve(__dirname, '..', '..');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void main();
}

async function main(): Promise<void> {
  await app.whenReady();
  // Nothing the renderer asks for beyond the IPC contract: no camera, notifications, etc.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  const baseDir = app.getPath('userData');
  const logsDir = app.getPath('logs');
  const logger = createProcessLogger({ dir: logsDir, fileName: 'app.log' });
  let shellRef: AppShell | null = null;
  const windows = new ElectronWindowHost({
    rendererDir: path.join(root, 'dist', 'renderer'),
    preloadFile: path.join(root, 'dist', 'preload', 'preload.cjs'),
    iconFile: path.join(root, 'assets', 'app-icon.png'),
    isQuitting: () => shellRef?.isQuitting ?? false,
    devTools: !app.isPackaged,
  });
  const controller = await AppController.create({
    baseDir,
    secrets: new SafeStorageSecretStore(baseDir, safeStorage),
    platformUrls: defaultPlatformUrls(),
    logsDir,
    logger,
    loginItem: {
      get: () => app.getLoginItemSettings().openAtLogin,
      set: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled }),
    },
    openPath: async (dir) => {
      await shell.openPath(dir);
    },
    writeClipboard: (text) => clipboard.writeText(text),
    pickPath: pickPathWithDialog,
    versions: { electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '' },
  });

  // Only the app's own page may call; every input is parsed with its channel's schema.
  const trusted = (event: IpcMainInvokeEvent) => event.senderFrame?.url.split('#')[0] === windows.pageUrl;
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(channel, (event, input) =>
      trusted(event)
        ? dispatchIpc(controller.handlers, channel, input)
        : { ok: false, error: { code: 'unknown_channel', message: 'Refused.' } },
    );
  }

  const appShell = new AppShell({
    controller,
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
      await shell.openPath(logsDir);
    },
    quit: () => app.exit(0),
  });
  shellRef = appShell;
  appShell.start();

  app.on('second-instance', () => appShell.onTrayClick());
  // The app lives in the tray: closing every window does not quit.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (!appShell.isQuitting) {
      event.preventDefault();
      void appShell.quit();
    }
  });
}
