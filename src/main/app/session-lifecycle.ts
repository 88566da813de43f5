// ELECTRON: what Windows does to a tray app besides Quit. Sign-out and shutdown send
// WM_QUERYENDSESSION/WM_ENDSESSION to top-level windows only, and a configured app shows none, so
// a hidden window is kept to hear them (Electron: the window events `query-session-end` and
// `session-end`; `before-quit` does not fire then). The installer's CloseApplication and Restart
// Manager close the app through the same window. It is a BaseWindow: a native window with no web
// page and no renderer process behind it. Resume from sleep reconnects at once.
import { app, BaseWindow, powerMonitor } from 'electron';
import type { Logger } from '../core/logger.js';

export interface LifecycleDeps {
  /** Drain every connector (connector.draining, close 1001) and exit; no question asked. */
  endNow(why: string): Promise<void>;
  isQuitting(): boolean;
  /** Skip every backoff and connect now. */
  reconnectNow(): void;
  logger: Logger;
}

export function watchSessionAndPower(deps: LifecycleDeps): BaseWindow {
  const win = new BaseWindow({
    show: false,
    skipTaskbar: true,
    focusable: false,
    width: 1,
    height: 1,
    title: 'Cloud Connector',
  });
  win.on('query-session-end', (event) => {
    // 'close-app': an installer (Restart Manager) wants the files; the session itself goes on.
    // For sign-out and shutdown nothing is done yet: another app may still cancel them.
    if (event.reasons.includes('close-app')) void deps.endNow('an installer asked the app to close');
  });
  win.on('session-end', (event) => {
    deps.logger.info('Windows session ending: draining', { reasons: event.reasons.join(',') });
    // Synchronously: connector.draining and the 1001 close are queued before this returns. Electron
    // ends the process right after this event unless a quit has begun by then, so app.quit() is
    // called here, after endNow (main.ts lets before-quit through once the shell is draining, and
    // holds will-quit until the drain has finished).
    void deps.endNow('Windows session ending');
    app.quit();
  });
  win.on('close', (event) => {
    // WM_CLOSE from the installer's CloseApplication: drain and exit rather than be killed.
    if (deps.isQuitting()) return;
    event.preventDefault();
    void deps.endNow('asked to close by Windows');
  });
  powerMonitor.on('resume', () => {
    deps.logger.info('resumed from sleep: reconnecting now');
    deps.reconnectNow();
  });
  return win;
}
