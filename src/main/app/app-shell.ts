// The app's behaviour between the controller and the Electron objects, which it only sees through
// small interfaces (TrayView, WindowHost, Dialogs) so that tests drive it with fakes. One render()
// derives the tray from the status; setters are skipped when nothing changed. The tray shows no
// countdown and no latency, so it changes only when the state does: no timer redraws it.

import { STATUS_EVENT } from '../../shared/ipc/channels.js';
import type { AppStatus } from '../../shared/ipc/status.js';
import type { Environment } from '../../shared/protocol/index.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { AttentionPolicy } from './attention.js';
import { type Note, TRAY_HINT } from './notes.js';
import { trayIcon } from './tray-icon.js';
import {
  type MenuAction,
  type MenuItemSpec,
  QUIT_CONFIRMATION,
  quitNeedsConfirmation,
  SERVICE_QUIT_CONFIRMATION,
  trayMenu,
} from './tray-menu.js';
import { trayTooltip } from './tray-tooltip.js';

export interface TrayParts {
  iconFile: string;
  tooltip: string;
  menu: MenuItemSpec[];
}

export interface TrayView {
  /** Only the parts that changed, all derived from one status. */
  set(view: Partial<TrayParts>): void;
}

export interface WindowHost {
  /** Shows (creating if needed) the one window at a route: the status view or the wizard. */
  show(route: 'status' | 'setup'): void;
  /** Sends an event to the window's renderer, if it is open. */
  send(channel: string, payload: unknown): void;
}

export interface Notifier {
  show(note: Note, onClick: () => void): void;
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
  /** Called once every connector has drained: exit the process. */
  quit(): void;
  /** Windows notifications: an environment red or amber for 2 minutes, its recovery, the first-run hint. */
  notifier?: Notifier;
  /** The one-time hint about keeping the tray icon visible: still due? (then marked shown). */
  trayHint?: { due(): boolean; shown(): void; picture: string };
  logger?: Logger;
  now?: () => Date;
  /**
   * Set when the Cloud Connector service hosts the connector and this app is its window: quitting
   * stops nothing, and a viewer's "Set up…" asks for administrator rights instead of opening a
   * wizard it could not save (service-mode.ts).
   */
  service?: { role: 'viewer' | 'admin'; askForAdmin(): Promise<unknown> };
}

export interface QuitOptions {
  /** Ask first while connected (Quit from the tray); never at sign-out, shutdown or hand-over. */
  confirm: boolean;
  /** For the log: why the app is ending. */
  why?: string;
}

export class AppShell {
  private readonly last: Record<keyof TrayParts, string> = { iconFile: '', tooltip: '', menu: '' };
  private lastStatus: AppStatus | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attentionTimer: NodeJS.Timeout | null = null;
  private readonly attention = new AttentionPolicy();
  private quitting = false;

  constructor(private readonly deps: ShellDeps) {}

  start(): void {
    this.deps.controller.on('status', (status) => {
      this.deps.windows.send(STATUS_EVENT, status);
      this.render(status);
      this.attend(status);
    });
    this.render(this.deps.controller.status());
    // "Red for 2 minutes" must be noticed even when no status event comes (a long backoff).
    this.attentionTimer = setInterval(() => this.lastStatus && this.attend(this.lastStatus), 15_000);
    this.attentionTimer.unref?.();
    // Only the tooltip counts down ("next in 8 s", UX.md), and only while it shows a countdown.
    this.timer = setInterval(() => {
      const shown = this.lastStatus;
      if (shown?.environments.some((e) => e.state === 'backing_off' && e.nextAttemptAt)) this.render(shown);
    }, 1_000);
    this.timer.unref?.();
    const status = this.deps.controller.status();
    if (!status.environments.some((e) => e.configured)) this.deps.windows.show('setup');
  }

  render(status: AppStatus): void {
    this.lastStatus = status;
    const now = this.deps.now?.() ?? new Date();
    const view: TrayParts = {
      iconFile: trayIcon(status, now).file,
      tooltip: trayTooltip(status, now),
      menu: trayMenu(status, now),
    };
    const changed: Partial<TrayParts> = {};
    for (const part of Object.keys(view) as Array<keyof TrayParts>) {
      const key = JSON.stringify(view[part]);
      if (key === this.last[part]) continue;
      this.last[part] = key;
      (changed as Record<string, unknown>)[part] = view[part];
    }
    if (Object.keys(changed).length > 0) this.deps.tray.set(changed);
  }

  /** Notifications due for this status: 2 minutes red or amber, a recovery, the first-run hint. */
  attend(status: AppStatus): void {
    const notifier = this.deps.notifier;
    if (!notifier || this.quitting) return;
    const now = (this.deps.now?.() ?? new Date()).getTime();
    for (const note of this.attention.update(status, now)) {
      (this.deps.logger ?? silentLogger).info('notification', { environment: note.environment, kind: note.kind });
      notifier.show(note, () => this.deps.windows.show('status'));
    }
    const hint = this.deps.trayHint;
    if (hint && status.environments.some((e) => e.state === 'connected') && hint.due()) {
      hint.shown();
      notifier.show({ ...TRAY_HINT, picture: hint.picture }, () => undefined);
    }
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
        if (this.deps.service?.role === 'viewer') {
          await this.deps.service.askForAdmin();
          return;
        }
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

  /** Drains every connector (connector.draining, then close 1001), then exits. */
  async quit(options: QuitOptions = { confirm: true }): Promise<void> {
    if (this.quitting) return;
    if (options.confirm && quitNeedsConfirmation(this.deps.controller.status())) {
      const ok = await this.deps.dialogs.confirmQuit(this.deps.service ? SERVICE_QUIT_CONFIRMATION : QUIT_CONFIRMATION);
      if (!ok || this.quitting) return;
    }
    this.quitting = true;
    if (this.timer) clearInterval(this.timer);
    if (this.attentionTimer) clearInterval(this.attentionTimer);
    (this.deps.logger ?? silentLogger).info('quitting: draining connectors', { why: options.why ?? 'Quit chosen' });
    try {
      await this.deps.controller.close();
    } finally {
      this.deps.quit();
    }
  }

  get isQuitting(): boolean {
    return this.quitting;
  }
}
