// ELECTRON: the one app window (status view and wizard). Locked down: context isolation, sandbox,
// no Node in the renderer, navigation and new windows refused, closing hides to the tray.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow } from 'electron';
import type { WindowHost } from './app-shell.js';
import { mustLoad, type WindowRoute } from './window-route.js';

export interface WindowHostOptions {
  rendererDir: string;
  preloadFile: string;
  iconFile?: string;
  isQuitting(): boolean;
  devTools: boolean;
}

export class ElectronWindowHost implements WindowHost {
  private window: BrowserWindow | null = null;

  constructor(private readonly options: WindowHostOptions) {}

  /** The renderer's own page, for checking where IPC calls come from. */
  get pageUrl(): string {
    return pathToFileURL(path.join(this.options.rendererDir, 'index.html')).href;
  }

  show(route: WindowRoute): void {
    const win = this.window ?? this.create();
    // The renderer changes the hash itself (wizard done → #status), so the address is the truth.
    if (mustLoad(win.webContents.getURL(), route)) {
      void win.loadFile(path.join(this.options.rendererDir, 'index.html'), { hash: route });
    }
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  send(channel: string, payload: unknown): void {
    if (this.window && !this.window.isDestroyed()) this.window.webContents.send(channel, payload);
  }

  private create(): BrowserWindow {
    const win = new BrowserWindow({
      width: 800,
      height: 600,
      minWidth: 640,
      minHeight: 520,
      show: false,
      title: 'Cloud Connector',
      icon: this.options.iconFile,
      autoHideMenuBar: true,
      webPreferences: {
        preload: this.options.preloadFile,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        spellcheck: false,
        devTools: this.options.devTools,
      },
    });
    win.removeMenu();
    win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    win.webContents.on('will-navigate', (event) => event.preventDefault());
    win.webContents.on('will-redirect', (event) => event.preventDefault());
    win.on('close', (event) => {
      // Closing the window keeps the connector running in the tray; only Quit stops it.
      if (!this.options.isQuitting()) {
        event.preventDefault();
        win.hide();
      }
    });
    win.on('closed', () => {
      this.window = null;
    });
    this.window = win;
    return win;
  }
}
