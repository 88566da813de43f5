// The elevated re-launch for "Set up…": the command PowerShell receives, for names that break
// naive command lines. PowerShell itself runs only on the Windows runner.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elevationCommand, elevationScript, relaunchElevated } from '../../src/main/service/elevate.js';

test('the elevated re-launch survives spaces, ampersands and apostrophes, and is never parsed by a shell', async () => {
  const exe = 'C:\\Program Files\\Cloud Connector\\Cloud Connector.exe';
  const file = "C:\\Users\\O'Brien & Co\\AppData\\Local\\Temp\\cc-setup-1.json";
  assert.equal(
    elevationScript(exe, ['--elevated-action', file]),
    `Start-Process -FilePath 'C:\\Program Files\\Cloud Connector\\Cloud Connector.exe' -ArgumentList @('"--elevated-action"','"C:\\Users\\O''Brien & Co\\AppData\\Local\\Temp\\cc-setup-1.json"') -Verb RunAs -ErrorAction Stop`,
  );
  const command = elevationCommand(exe, ['--elevated-action', file]);
  assert.equal(command.file, 'powershell.exe');
  assert.deepEqual(command.args.slice(0, -1), [
    '-NoProfile',
    '-NonInteractive',
    '-WindowStyle',
    'Hidden',
    '-EncodedCommand',
  ]);
  const decoded = Buffer.from(command.args.at(-1) as string, 'base64').toString('utf16le');
  assert.equal(decoded, elevationScript(exe, ['--elevated-action', file]));
  assert.ok(!command.args.some((a) => a.includes('&')), 'nothing a shell could split on');
  assert.throws(() => elevationScript(exe, ['a"b']), { name: 'ElevationArgumentError' });

  assert.equal(await relaunchElevated(exe, [], async () => ({ code: 0, stdout: '' })), true);
  assert.equal(await relaunchElevated(exe, [], async () => ({ code: 1, stdout: '' })), false, 'declined');
});
