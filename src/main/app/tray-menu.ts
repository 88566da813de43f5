// The tray menu as data: a line per environment, then the actions. The Electron layer turns it
// into a Menu; the app shell handles the ids. Pure: tested without Electron. The state lines carry
// no latency and no countdown: the menu is rebuilt only when a state changes, so an open menu does
// not flicker every second or every heartbeat (the tooltip and the status window show those).
import type { AppStatus, EnvironmentStatus } from '../../shared/ipc/status.js';
import { configuredEnvironments, describeEnvironment, ENVIRONMENT_LABEL } from '../../shared/ipc/status-words.js';

export type MenuAction =
  | 'open-status'
  | 'setup'
  | 'reconnect'
  | 'pause'
  | 'resume'
  | 'open-logs'
  | 'start-at-login'
  | 'quit';

export type MenuItemSpec =
  | { kind: 'info'; label: string }
  | { kind: 'separator' }
  | { kind: 'action'; id: MenuAction; label: string; enabled: boolean }
  | { kind: 'checkbox'; id: MenuAction; label: string; checked: boolean };

export function trayMenu(status: AppStatus, now: Date = new Date()): MenuItemSpec[] {
  const envs = configuredEnvironments(status);
  const allPaused = envs.length > 0 && envs.every((e) => e.paused);
  const info: MenuItemSpec[] =
    envs.length === 0
      ? [{ kind: 'info', label: 'Not set up' }]
      : envs.map((e) => ({
          kind: 'info',
          label: `${ENVIRONMENT_LABEL[e.environment]}: ${stateWords(e, now)}`,
        }));
  return [
    ...info,
    { kind: 'separator' },
    { kind: 'action', id: 'open-status', label: 'Open status', enabled: true },
    { kind: 'action', id: 'setup', label: 'Set up…', enabled: true },
    { kind: 'action', id: 'reconnect', label: 'Reconnect now', enabled: envs.length > 0 && !allPaused },
    allPaused
      ? { kind: 'action', id: 'resume', label: 'Resume', enabled: true }
      : { kind: 'action', id: 'pause', label: 'Pause', enabled: envs.length > 0 },
    { kind: 'action', id: 'open-logs', label: 'Open logs folder', enabled: true },
    { kind: 'separator' },
    { kind: 'checkbox', id: 'start-at-login', label: 'Start when I sign in', checked: status.startAtLogin },
    { kind: 'separator' },
    { kind: 'action', id: 'quit', label: 'Quit', enabled: true },
  ];
}

export const QUIT_CONFIRMATION = 'Patient lookups will stop working until Cloud Connector is started again.';
/** When the service hosts the connector, quitting the tray app stops nothing. */
export const SERVICE_QUIT_CONFIRMATION =
  'The Cloud Connector service keeps running, so patient lookups keep working. Only the tray icon closes.';

/** Quitting asks first when anything is connected, because lookups stop at once. */
export function quitNeedsConfirmation(status: AppStatus): boolean {
  return configuredEnvironments(status).some((e) => e.state === 'connected');
}

/** The state in words without the parts that change by themselves (latency, "next in 8 s"). */
export function stateWords(e: EnvironmentStatus, now: Date = new Date()): string {
  return describeEnvironment({ ...e, latencyMs: null, nextAttemptAt: null }, now).short;
}
