// The app's behaviour between the controller and the Electron objects, which it only sees through
// small interfaces (TrayView, WindowHost, Dialogs) so that tests drive it with fakes. One render()
// derives the tray from the status; setters are skipped when nothing changed.

import { STATUS_EVENT } from '../../shared/ipc/channels.js';
import type { AppStatus } from '../../shared/ipc/status.js';
import type { Environment } from '../../shared/protocol/index.js';
import { trayIcon } from './tray-icon.js';
import { type MenuAction, type MenuItemSpec, QUIT_CONFIRMATION, quitNeedsConfirmation, trayMenu } from './tray-menu.js';
import { trayTooltip } from './tray-tooltip.js';

export interface TrayView {
  /** Image, tooltip and menu change together, always from one status. */
  set(view: { iconFile: string; tooltip: string; menu: MenuItemSpec[] }): void;
}

export interface WindowHost {
  /** Shows (creating if needed) the one window at a route: the status view or the wizard. */
  show(route: 'status' | 'setup'): void;
  /** Sends an event to the window's renderer, if it is open. */
  send(channel: string, payload: unknown): void;
}

export interface Dialogs {
  confirmQuit(message: string): Promise<boolean>;
}

/** What the shell needs from the controller (the AppController satisfies it). */
export interface ShellController {
  status(): AppStatus;
  on(event: 'status', listener: (status: AppStatus) => void): unknown;
  reconnect(environment?: Environment): void;
  setPaused(environment: Environment | undefined, paused: boolean): Promise<void>;
  setStartAtLogin(enabled: boolean): void;
  close(): Promise<void>;
}

export interface ShellDeps {
  controller: ShellController;
  tray: TrayView;
  windows: WindowHost;
  dialogs: Dialogs;
  openLogs(): Promise<void>;
  quit(): void;
  now?: () => Date;
}

export class AppShell {
  private last = '';
  private timer: NodeJS.Timeout | null = null;
  private quitting = false;

  constructor(private readonly deps: ShellDeps) {}

  start(): void {
    this.deps.controller.on('status', (status) => {
      this.deps.windows.send(STATUS_EVENT, status);
      this.render(status);
    });
    this.render(this.deps.controller.status());
    // "next in 8 s" counts down in the tooltip; render() skips the tray when nothing changed.
    this.timer = setInterval(() => this.render(this.deps.controller.status()), 1_000);
    this.timer.unref?.();
    const status = this.deps.controller.status();
    if (!status.environments.some((e) => e.configured)) this.deps.windows.show('setup');
  }

  render(status: AppStatus): void {
    const now = this.deps.now?.() ?? new Date();
    const view = {
      iconFile: trayIcon(status, now).file,
      tooltip: trayTooltip(status, now),
      menu: trayMenu(status, now),
    };
    const key = JSON.stringify(view);
    if (key === this.last) return;
    this.last = key;
    this.deps.tray.set(view);
  }

  /** A click on the tray icon itself. */
  onTrayClick(): void {
    const configured = this.deps.controller.status().environments.some((e) => e.configured);
    this.deps.windows.show(configured ? 'status' : 'setup');
  }

  async onMenu(id: MenuAction): Promise<void> {
    const c = this.deps.controller;
    switch (id) {
      case 'open-status':
        return this.deps.windows.show('status');
      case 'setup':
        return this.deps.windows.show('setup');
      case 'reconnect':
        return c.reconnect();
      case 'pause':
        return c.setPaused(undefined, true);
      case 'resume':
        return c.setPaused(undefined, false);
      case 'open-logs':
        return this.deps.openLogs();
      case 'start-at-login':
        return c.setStartAtLogin(!c.status().startAtLogin);
      case 'quit':
        return this.quit();
    }
  }

  async quit(): Promise<void> {
    if (this.quitting) return;
    if (quitNeedsConfirmation(this.deps.controller.status())) {
      const ok = await this.deps.dialogs.confirmQuit(QUIT_CONFIRMATION);
      if (!ok) return;
    }
    this.quitting = true;
    if (this.timer) clearInterval(this.timer);
    await this.deps.controller.close();
    this.deps.quit();
  }

  get isQuitting(): boolean {
    return this.quitting;
  }
}
