// Where the app's connector runs, and the Windows pieces that can be checked on Linux: the probes'
// reading of reg.exe and systemctl output, the service account's SID and the icacls lines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chooseHost,
  decideHost,
  type Exec,
  serviceAnswers,
  systemdStartType,
  windowsStartType,
} from '../../src/main/service/attach-decision.js';
import { defaultServiceDataDir, icaclsArgs } from '../../src/main/service/data-folder.js';
import { systemServiceControl } from '../../src/main/service/service-control.js';
import { serviceSid } from '../../src/main/service/service-sid.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startService } from './service-fixture.js';

test('attach when the service runs or will start by itself; host in-process otherwise', () => {
  const running = { installed: true, startType: 'auto' as const, running: true };
  assert.deepEqual(decideHost(running, false), { mode: 'attach', role: 'viewer', reason: 'the service is running' });
  assert.deepEqual(decideHost(running, true), { mode: 'attach', role: 'admin', reason: 'the service is running' });
  // Delayed automatic start: signed in before the service is up. Hosting now would run a second connector.
  assert.equal(decideHost({ installed: true, startType: 'auto', running: false }, false).mode, 'attach');
  assert.equal(decideHost({ installed: true, startType: 'manual', running: true }, false).mode, 'attach');
  assert.equal(decideHost({ installed: true, startType: 'manual', running: false }, false).mode, 'in-process');
  assert.equal(decideHost({ installed: true, startType: 'disabled', running: false }, false).mode, 'in-process');
  assert.deepEqual(decideHost({ installed: false, startType: null, running: false }, true), {
    mode: 'in-process',
    reason: 'no service is installed',
  });
});

test('the service manager probes read reg.exe and systemctl output', async () => {
  const answer =
    (code: number, stdout: string): Exec =>
    async () => ({ code, stdout });
  const reg = (start: string) =>
    `\r\nHKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\CloudConnector\r\n    Start    REG_DWORD    0x${start}\r\n\r\n`;
  assert.deepEqual(await windowsStartType(answer(0, reg('2'))), { installed: true, startType: 'auto' });
  assert.deepEqual(await windowsStartType(answer(0, reg('3'))), { installed: true, startType: 'manual' });
  assert.deepEqual(await windowsStartType(answer(0, reg('4'))), { installed: true, startType: 'disabled' });
  assert.deepEqual(await windowsStartType(answer(1, '')), { installed: false, startType: null });
  assert.deepEqual(await systemdStartType(answer(0, 'enabled\n')), { installed: true, startType: 'auto' });
  assert.deepEqual(await systemdStartType(answer(1, 'disabled\n')), { installed: true, startType: 'manual' });
  assert.deepEqual(await systemdStartType(answer(1, 'masked\n')), { installed: true, startType: 'disabled' });
  assert.deepEqual(await systemdStartType(answer(1, '')), { installed: false, startType: null });
});

test('chooseHost: attaches to a running service, as viewer or admin by which key this user can read', async (t) => {
  const empty = tempDir(t, 'cc-none-');
  assert.equal(await serviceAnswers(empty), false);
  const enabled: Exec = async () => ({ code: 0, stdout: 'enabled\n' });
  const manual: Exec = async () => ({ code: 1, stdout: 'disabled\n' });
  assert.equal((await chooseHost(empty, 'linux', manual)).mode, 'in-process');

  const svc = await startService(t);
  assert.equal(await serviceAnswers(svc.dataDir), true);
  const decision = await chooseHost(svc.dataDir, 'linux', manual);
  // The tests run as the service's own user, so the admin key is readable here.
  assert.deepEqual(decision, { mode: 'attach', role: 'admin', reason: 'the service is running' });
  assert.equal((await chooseHost(svc.dataDir, 'linux', enabled)).mode, 'attach');
});

test('Windows: the virtual account SID and the ACLs by well-known SIDs', () => {
  // A SID Windows publishes: NT SERVICE\TrustedInstaller.
  assert.equal(serviceSid('TrustedInstaller'), 'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464');
  const sid = `*${serviceSid('CloudConnector')}`;
  assert.match(sid, /^\*S-1-5-80(-\d+){5}$/);
  const dir = 'C:\\ProgramData\\Cloud Connector';
  assert.deepEqual(icaclsArgs(dir, 'folder'), [
    [dir, '/inheritance:r', '/grant:r', '*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F', `${sid}:(OI)(CI)M`],
  ]);
  assert.deepEqual(icaclsArgs(`${dir}\\viewer.key`, 'everyone'), [[`${dir}\\viewer.key`, '/grant', '*S-1-5-32-545:R']]);
  const token = icaclsArgs(`${dir}\\production\\token`, 'service-only')[0] as string[];
  assert.ok(!token.some((a) => a.startsWith('*S-1-5-32-5')), 'neither Users nor Administrators are granted the token');
  assert.deepEqual(token.slice(1), ['/inheritance:r', '/grant:r', '*S-1-5-18:F', `${sid}:F`]);
  assert.equal(defaultServiceDataDir('win32', { ProgramData: 'D:\\PD' }), 'D:\\PD\\Cloud Connector');
  assert.equal(defaultServiceDataDir('linux', {}), '/var/lib/cloud-connector');
});

test('stopping and starting the installed service: the commands, and words when they fail', async () => {
  const calls: string[] = [];
  const ok: Exec = async (file, args) => {
    calls.push([file, ...args].join(' '));
    return { code: 0, stdout: '' };
  };
  await systemServiceControl(ok, 'win32').stop();
  await systemServiceControl(ok, 'linux').start();
  assert.deepEqual(calls, [
    'powershell.exe -NoProfile -NonInteractive -Command Stop-Service -Name CloudConnector -ErrorAction Stop',
    'systemctl start cloud-connector.service',
  ]);
  const refused: Exec = async () => ({ code: 1, stdout: '' });
  await assert.rejects(systemServiceControl(refused, 'win32').start(), {
    name: 'ServiceControlError',
    message: 'The Cloud Connector service could not be started. Ask your IT team to check it.',
  });
});
