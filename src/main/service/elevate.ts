// "Set up…" on a computer where the service hosts the connector changes a machine-wide service,
// so the tray app asks Windows for administrator rights: it starts itself again elevated (the
// User Account Control prompt), and the elevated instance, able to read admin.key, opens the
// wizard. Arguments travel as a file path, never as text on a command line (names with & or '
// break command lines: sudo-prompt issues #97, #119); the command itself is given to PowerShell
// base64-encoded, so no shell ever parses it. Windows only; not yet run (no Windows here).
import type { Exec } from './attach-decision.js';

export class ElevationArgumentError extends Error {
  override readonly name = 'ElevationArgumentError';
}

/** A PowerShell single-quoted literal: only ' needs escaping (doubled). */
function psLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The PowerShell script that starts `exe` elevated with `args`, waiting for nothing. */
export function elevationScript(exe: string, args: readonly string[]): string {
  for (const value of [exe, ...args]) {
    // Start-Process joins -ArgumentList with spaces; each argument is wrapped in double quotes,
    // which therefore must not occur inside one (Windows paths cannot contain them).
    if (value.includes('"') || /[\r\n\0]/.test(value))
      throw new ElevationArgumentError('unsupported character in an argument');
  }
  const list = args.map((a) => psLiteral(`"${a}"`)).join(',');
  return `Start-Process -FilePath ${psLiteral(exe)}${args.length ? ` -ArgumentList @(${list})` : ''} -Verb RunAs -ErrorAction Stop`;
}

export function elevationCommand(exe: string, args: readonly string[]): { file: string; args: string[] } {
  const encoded = Buffer.from(elevationScript(exe, args), 'utf16le').toString('base64');
  return {
    file: 'powershell.exe',
    args: ['-NoProfile', '-NonInteractive', '-WindowStyle', 'Hidden', '-EncodedCommand', encoded],
  };
}

/** True when the elevated instance was started; false when the person declined the prompt. */
export async function relaunchElevated(exe: string, args: readonly string[], exec: Exec): Promise<boolean> {
  const command = elevationCommand(exe, args);
  const { code } = await exec(command.file, command.args);
  return code === 0;
}
