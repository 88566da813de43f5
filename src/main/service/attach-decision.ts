// Where the tray app's connector runs: in the service when one is installed for this computer,
// else in the app itself (a per-user install, the Linux AppImage), as before. Pure decision plus
// small probes of the service manager, so the rule is tested without Windows or systemd.
import { execFile } from 'node:child_process';
import { type Role, readEndpoint, readKey } from './control-keys.js';
import { serviceFiles } from './data-folder.js';
import { SERVICE_NAME } from './service-sid.js';

export type StartType = 'auto' | 'manual' | 'disabled';

export interface ServiceProbe {
  installed: boolean;
  /** How the service manager starts it; null when not installed or unknown. */
  startType: StartType | null;
  /** The control channel answered with a valid key just now. */
  running: boolean;
}

export type HostDecision = { mode: 'attach'; role: Role; reason: string } | { mode: 'in-process'; reason: string };

/**
 * Attach when the service runs, and also when it is installed to start by itself but is not up
 * yet: the MSI's delayed automatic start begins a minute or two after boot, usually after the
 * person has signed in, and an app that hosted the connector meanwhile would run a second one.
 * The admin key is used only when this process can read it (elevated, or root).
 */
export function decideHost(probe: ServiceProbe, canReadAdminKey: boolean): HostDecision {
  const role: Role = canReadAdminKey ? 'admin' : 'viewer';
  if (probe.installed && probe.running) return { mode: 'attach', role, reason: 'the service is running' };
  if (probe.installed && probe.startType === 'auto') {
    return { mode: 'attach', role, reason: 'the service starts automatically and is not up yet' };
  }
  if (probe.installed)
    return { mode: 'in-process', reason: `the service is installed but ${probe.startType ?? 'not started'}` };
  return { mode: 'in-process', reason: 'no service is installed' };
}

export type Exec = (file: string, args: string[]) => Promise<{ code: number; stdout: string }>;

export const execQuiet: Exec = (file, args) =>
  new Promise((resolve) => {
    execFile(file, args, { timeout: 5_000, windowsHide: true }, (error, stdout) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout) });
    });
  });

/** Windows: the service's registry key; `Start` 2 = automatic, 3 = manual, 4 = disabled. */
export async function windowsStartType(exec: Exec, name = SERVICE_NAME): Promise<Omit<ServiceProbe, 'running'>> {
  const { code, stdout } = await exec('reg.exe', [
    'query',
    `HKLM\\SYSTEM\\CurrentControlSet\\Services\\${name}`,
    '/v',
    'Start',
  ]);
  if (code !== 0) return { installed: false, startType: null };
  const value = /\bStart\s+REG_DWORD\s+0x([0-9a-f]+)/i.exec(stdout)?.[1];
  const start = value === undefined ? null : Number.parseInt(value, 16);
  const startType: StartType | null = start === 2 ? 'auto' : start === 3 ? 'manual' : start === 4 ? 'disabled' : null;
  return { installed: true, startType };
}

/** Linux: `systemctl is-enabled` prints enabled / disabled / masked, and fails for no such unit. */
export async function systemdStartType(
  exec: Exec,
  unit = 'cloud-connector.service',
): Promise<Omit<ServiceProbe, 'running'>> {
  const { stdout } = await exec('systemctl', ['is-enabled', unit]);
  const word = stdout.trim().split('\n')[0]?.trim() ?? '';
  if (word === 'enabled' || word === 'enabled-runtime') return { installed: true, startType: 'auto' };
  if (word === 'disabled' || word === 'static' || word === 'indirect') return { installed: true, startType: 'manual' };
  if (word === 'masked' || word === 'masked-runtime') return { installed: true, startType: 'disabled' };
  return { installed: false, startType: null };
}

/** True when the service's control channel answers this user's key (viewer at least). */
export async function serviceAnswers(dataDir: string, timeoutMs = 2_000): Promise<boolean> {
  const files = serviceFiles(dataDir);
  const endpoint = readEndpoint(files);
  const key = readKey(files, 'admin') ?? readKey(files, 'viewer');
  if (!endpoint || !key) return false;
  try {
    const res = await fetch(`http://127.0.0.1:${endpoint.port}/v1/hello`, {
      headers: { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json().catch(() => null)) as { service?: unknown } | null;
    return res.ok && body?.service === 'cloud-connector';
  } catch {
    return false;
  }
}

/** Everything the app needs to decide, probed now. */
export async function chooseHost(
  dataDir: string,
  platform: NodeJS.Platform = process.platform,
  exec: Exec = execQuiet,
): Promise<HostDecision> {
  const manager = platform === 'win32' ? await windowsStartType(exec) : await systemdStartType(exec);
  const running = manager.installed ? await serviceAnswers(dataDir) : false;
  return decideHost({ ...manager, running }, readKey(serviceFiles(dataDir), 'admin') !== null);
}
