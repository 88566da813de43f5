// The service's machine-wide data folder and who may read what in it. Everything is readable only
// by the service account and root / Administrators, except two files every local user may read by
// name: where the control channel listens (control.json) and the viewer key. On Linux that is file
// modes (the folder is 0711: reachable by name, not listable); on Windows, ACLs set with icacls
// using well-known SIDs, applied by the service itself (it owns what it creates, so it may).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_NAME, serviceSid } from './service-sid.js';

export interface ServiceFiles {
  dir: string;
  /** Port and process id of the control channel; readable by every local user. */
  endpointFile: string;
  /** Lets whoever reads it see status, recent calls and diagnostics; readable by every local user. */
  viewerKeyFile: string;
  /** Lets whoever reads it change the set-up, pause and reconnect; service account and admins only. */
  adminKeyFile: string;
  logsDir: string;
}

/** `%ProgramData%\Cloud Connector` on Windows, `/var/lib/cloud-connector` elsewhere. */
export function defaultServiceDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (platform === 'win32') return path.win32.join(env.ProgramData || 'C:\\ProgramData', 'Cloud Connector');
  return '/var/lib/cloud-connector';
}

export function serviceFiles(dir: string): ServiceFiles {
  return {
    dir,
    endpointFile: path.join(dir, 'control.json'),
    viewerKeyFile: path.join(dir, 'viewer.key'),
    adminKeyFile: path.join(dir, 'admin.key'),
    logsDir: path.join(dir, 'logs'),
  };
}

/** Who may read a file the service writes. */
export type Audience = 'everyone' | 'admins' | 'service-only';

export interface FileProtection {
  /** Applied once at start to the data folder itself. */
  protectFolder(dir: string): void;
  /** Applied to a file before it is renamed into place, so it is never readable by more. */
  protectFile(file: string, audience: Audience): void;
}

const MODES: Record<Audience, number> = { everyone: 0o644, admins: 0o600, 'service-only': 0o600 };

/** Linux and macOS: root reads everything anyway, so "admins" and "service only" are both 0600. */
export class PosixFileProtection implements FileProtection {
  protectFolder(dir: string): void {
    mkdirSync(dir, { recursive: true, mode: 0o711 });
    chmodSync(dir, 0o711);
  }

  protectFile(file: string, audience: Audience): void {
    chmodSync(file, MODES[audience]);
  }
}

// Well-known SIDs: the same on every Windows, whatever its language.
const SYSTEM = '*S-1-5-18';
const ADMINISTRATORS = '*S-1-5-32-544';
const USERS = '*S-1-5-32-545';

/** The icacls argument lists for each case; pure, so the tests check them on Linux. */
export function icaclsArgs(target: string, kind: 'folder' | Audience, serviceName: string = SERVICE_NAME): string[][] {
  const service = `*${serviceSid(serviceName)}`;
  switch (kind) {
    case 'folder':
      // No inherited entries (ProgramData lets Users read and create by default); what is created
      // inside inherits these: SYSTEM and Administrators full control, the service modify.
      return [
        [
          target,
          '/inheritance:r',
          '/grant:r',
          `${SYSTEM}:(OI)(CI)F`,
          `${ADMINISTRATORS}:(OI)(CI)F`,
          `${service}:(OI)(CI)M`,
        ],
      ];
    case 'everyone':
      // Users cannot list the folder, yet can open this file by its path: Windows grants every
      // account "bypass traverse checking", so only the file's own ACL is checked.
      return [[target, '/grant', `${USERS}:R`]];
    case 'admins':
      return [[target, '/inheritance:r', '/grant:r', `${SYSTEM}:F`, `${ADMINISTRATORS}:F`, `${service}:F`]];
    case 'service-only':
      // The token: the service account (and the operating system) only. Administrators can still
      // take ownership, as they can of anything; they cannot simply open it.
      return [[target, '/inheritance:r', '/grant:r', `${SYSTEM}:F`, `${service}:F`]];
  }
}

/**
 * Windows: icacls with well-known SIDs. Written to be right, but it cannot run on the Linux
 * machines the tests run on; the Windows workflow checks the result on the runner.
 */
export class WindowsFileProtection implements FileProtection {
  constructor(
    private readonly serviceName: string = SERVICE_NAME,
    private readonly run: (args: string[]) => void = (args) => {
      execFileSync('icacls.exe', args, { stdio: 'ignore', windowsHide: true });
    },
  ) {}

  protectFolder(dir: string): void {
    mkdirSync(dir, { recursive: true });
    for (const args of icaclsArgs(dir, 'folder', this.serviceName)) this.run(args);
  }

  protectFile(file: string, audience: Audience): void {
    for (const args of icaclsArgs(file, audience, this.serviceName)) this.run(args);
  }
}

export function fileProtectionFor(platform: NodeJS.Platform = process.platform): FileProtection {
  return platform === 'win32' ? new WindowsFileProtection() : new PosixFileProtection();
}
