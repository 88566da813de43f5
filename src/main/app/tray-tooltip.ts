// The tray tooltip: one line, or one line per environment when both are set up. Windows cuts
// tooltips at 127 characters, so the text is kept within that.
import type { AppStatus } from '../../shared/ipc/status.js';
import { configuredEnvironments, describeEnvironment, ENVIRONMENT_LABEL } from '../../shared/ipc/status-words.js';

export const TOOLTIP_MAX = 127;
const APP = 'Cloud Connector';

export function trayTooltip(status: AppStatus, now: Date = new Date()): string {
  const envs = configuredEnvironments(status);
  let text: string;
  if (envs.length === 0) {
    text = `${APP} — not set up — click to start`;
  } else if (envs.length === 1) {
    const env = envs[0] as (typeof envs)[number];
    text = `${APP} — ${ENVIRONMENT_LABEL[env.environment]}: ${describeEnvironment(env, now).short}`;
  } else {
    text = [APP, ...envs.map((e) => `${ENVIRONMENT_LABEL[e.environment]}: ${describeEnvironment(e, now).short}`)].join(
      '\n',
    );
  }
  return text.length <= TOOLTIP_MAX ? text : `${text.slice(0, TOOLTIP_MAX - 1)}…`;
}
