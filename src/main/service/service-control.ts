// Stopping and starting the installed service, for the one-time move of a tray-hosted set-up
// into it (run elevated). Each call returns once the service manager says it is done; a stop
// waits for the drain.
import type { Exec } from './attach-decision.js';
import { SERVICE_NAME } from './service-sid.js';

export interface ServiceControl {
  stop(): Promise<void>;
  start(): Promise<void>;
}

export class ServiceControlError extends Error {
  override readonly name = 'ServiceControlError';
}

/**
 * Windows: PowerShell's Stop-Service and Start-Service wait for the state to be reached (the
 * words of `sc query` may be translated; these cmdlets' results are not). Linux: systemctl waits
 * for the unit's stop (the drain) or start job.
 */
export function systemServiceControl(exec: Exec, platform: NodeJS.Platform = process.platform): ServiceControl {
  const run = async (verb: 'stop' | 'start') => {
    const { code } =
      platform === 'win32'
        ? await exec('powershell.exe', [
            '-NoProfile',
            '-NonInteractive',
            '-Command',
            `${verb === 'stop' ? 'Stop' : 'Start'}-Service -Name ${SERVICE_NAME} -ErrorAction Stop`,
          ])
        : await exec('systemctl', [verb, 'cloud-connector.service']);
    if (code !== 0) {
      throw new ServiceControlError(
        `The Cloud Connector service could not be ${verb === 'stop' ? 'stopped' : 'started'}. Ask your IT team to check it.`,
      );
    }
  };
  return { stop: () => run('stop'), start: () => run('start') };
}
