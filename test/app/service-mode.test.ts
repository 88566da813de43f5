import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { AppShell, type ShellController } from '../../src/main/app/app-shell.js';
import {
  ADMIN_DECLINED,
  ADMIN_NEEDED_ELSEWHERE,
  ELEVATED_MOVE_ARG,
  ELEVATED_SETUP_ARG,
  MOVE_DECLINED,
  ServiceMode,
  type ServiceModeDeps,
} from '../../src/main/app/service-mode.js';
import { claimSingleInstance } from '../../src/main/app/single-instance.js';
import { QUIT_CONFIRMATION, SERVICE_QUIT_CONFIRMATION } from '../../src/main/app/tray-menu.js';
import type { Exec } from '../../src/main/service/attach-decision.js';
import { MoveError, type MoveResult } from '../../src/main/service/move-to-service.js';
import type { AppStatus } from '../../src/shared/ipc/status.js';
import { app, env } from './status-fixtures.js';

const EXE = 'C:\\Program Files\\Cloud Connector\\cloud-connector.exe';

/** The seam where the app starts PowerShell (the UAC prompt): records, answers with `code`. */
function recordingExec(code: number) {
  const calls: { file: string; args: string[]; script: string }[] = [];
  const exec: Exec = async (file, args) => {
    const encoded = args[args.indexOf('-EncodedCommand') + 1] ?? '';
    calls.push({ file, args, script: Buffer.from(encoded, 'base64').toString('utf16le') });
    return { code, stdout: '' };
  };
  return { exec, calls };
}

function mode(over: Partial<ServiceModeDeps> & { code?: number } = {}) {
  const { exec, calls } = recordingExec(over.code ?? 0);
  const told: string[] = [];
  const asked: string[] = [];
  let handedOver = 0;
  let answer = true;
  const m = new ServiceMode({
    role: 'viewer',
    platform: 'win32',
    exe: EXE,
    exec,
    prompts: {
      ask: async (message) => {
        asked.push(message);
        return answer;
      },
      tell: async (message) => {
        told.push(message);
      },
    },
    handOver: async () => {
      handedOver++;
    },
    ...over,
  });
  return {
    m,
    calls,
    told,
    asked,
    handedOver: () => handedOver,
    answer: (a: boolean) => {
      answer = a;
    },
  };
}

class FakeController extends EventEmitter implements ShellController {
  calls: string[] = [];
  constructor(public current: AppStatus) {
    super();
  }
  status() {
    return this.current;
  }
  reconnect() {}
  async setPaused() {}
  setStartAtLogin() {}
  async close() {
    this.calls.push('close');
  }
}

function shellWith(service: ConstructorParameters<typeof AppShell>[0]['service']) {
  const controller = new FakeController(app(env('production', 'connected')));
  const shown: string[] = [];
  const confirmations: string[] = [];
  const s = new AppShell({
    controller,
    tray: { set: () => undefined },
    windows: { show: (r) => shown.push(r), send: () => undefined },
    dialogs: {
      confirmQuit: async (message) => {
        confirmations.push(message);
        return false;
      },
    },
    openLogs: async () => undefined,
    quit: () => undefined,
    service,
  });
  return { s, controller, shown, confirmations };
}

test('Quit while the service hosts the connector says the service keeps running, not that lookups stop', async () => {
  const viewer = mode();
  const attached = shellWith({ role: 'viewer', askForAdmin: () => viewer.m.askForAdmin(ELEVATED_SETUP_ARG) });
  await attached.s.onMenu('quit');
  assert.deepEqual(attached.confirmations, [SERVICE_QUIT_CONFIRMATION]);
  assert.match(SERVICE_QUIT_CONFIRMATION, /service keeps running/);
  assert.doesNotMatch(SERVICE_QUIT_CONFIRMATION, /stop/);
  // The app hosting the connector itself still warns that lookups stop.
  const hosting = shellWith(undefined);
  await hosting.s.onMenu('quit');
  assert.deepEqual(hosting.confirmations, [QUIT_CONFIRMATION]);
});

test('"Set up…" as the service’s viewer starts the app again elevated (UAC) and hands over; no wizard it could not save', async () => {
  const viewer = mode();
  const x = shellWith({ role: 'viewer', askForAdmin: () => viewer.m.askForAdmin(ELEVATED_SETUP_ARG) });
  await x.s.onMenu('setup');
  assert.deepEqual(x.shown, [], 'no wizard in the viewer');
  assert.equal(viewer.calls.length, 1);
  assert.equal(viewer.calls[0]?.file, 'powershell.exe');
  assert.equal(
    viewer.calls[0]?.script,
    `Start-Process -FilePath '${EXE}' -ArgumentList @('"${ELEVATED_SETUP_ARG}"') -Verb RunAs -ErrorAction Stop`,
  );
  assert.equal(viewer.handedOver(), 1, 'the elevated instance takes over');
  assert.deepEqual(viewer.told, []);
  // An admin (already elevated) opens the wizard directly.
  const admin = mode({ role: 'admin' });
  const y = shellWith({ role: 'admin', askForAdmin: () => admin.m.askForAdmin(ELEVATED_SETUP_ARG) });
  await y.s.onMenu('setup');
  assert.deepEqual(y.shown, ['setup']);
  assert.equal(admin.calls.length, 0);
});

test('declining the UAC prompt changes nothing and says so; outside Windows the words say admin/root is needed', async () => {
  const declined = mode({ code: 1 });
  assert.equal(await declined.m.askForAdmin(ELEVATED_SETUP_ARG), false);
  assert.deepEqual(declined.told, [ADMIN_DECLINED]);
  assert.equal(declined.handedOver(), 0);
  const linux = mode({ platform: 'linux' });
  assert.equal(await linux.m.askForAdmin(ELEVATED_SETUP_ARG), false);
  assert.equal(linux.calls.length, 0, 'nothing is started');
  assert.deepEqual(linux.told, [ADMIN_NEEDED_ELSEWHERE]);
  assert.match(ADMIN_NEEDED_ELSEWHERE, /administrator \(root\)/);
});

const MOVED: MoveResult = {
  moved: [{ environment: 'production', audit: { rows: 3, headHash: 'h' } }],
  skipped: [],
  message: 'Production now runs in the Cloud Connector service.',
};

test('the one-time move: offered in words, done by an admin and its result said; a viewer asks for rights first', async () => {
  let moves = 0;
  const admin = mode({
    role: 'admin',
    moveIntoService: async () => {
      moves++;
      return MOVED;
    },
  });
  assert.equal(await admin.m.offerMove([]), null, 'nothing left in the app: nothing asked');
  assert.deepEqual(admin.asked, []);
  assert.equal(await admin.m.offerMove(['production']), MOVED);
  assert.match(admin.asked[0] ?? '', /Move your set-up \(Production\) into it\?/);
  assert.equal(moves, 1);
  assert.deepEqual(admin.told, [MOVED.message]);

  const viewer = mode();
  await viewer.m.offerMove(['demo']);
  assert.equal(viewer.calls.length, 1);
  assert.match(viewer.calls[0]?.script ?? '', new RegExp(`-ArgumentList @\\('"${ELEVATED_MOVE_ARG}"'\\) -Verb RunAs`));
  assert.equal(viewer.handedOver(), 1);

  const notNow = mode({ role: 'admin', moveIntoService: async () => MOVED });
  notNow.answer(false);
  assert.equal(await notNow.m.offerMove(['production']), null);
  assert.deepEqual(notNow.told, [MOVE_DECLINED]);
  assert.equal(notNow.calls.length, 0);
});

test('a move that fails is said in words: the move’s own message, or a plain one for anything else', async () => {
  const audit = mode({
    role: 'admin',
    moveIntoService: async () => {
      throw new MoveError('Production: the audit log did not copy intact; nothing was moved for Production.');
    },
  });
  assert.equal(await audit.m.move(), null);
  assert.deepEqual(audit.told, ['Production: the audit log did not copy intact; nothing was moved for Production.']);
  const other = mode({
    role: 'admin',
    moveIntoService: async () => {
      throw new Error('EACCES: permission denied, open C:\\ProgramData\\Cloud Connector\\x');
    },
  });
  await other.m.move();
  assert.doesNotMatch(other.told[0] ?? '', /EACCES|ProgramData/, 'no paths or system errors for the person');
  assert.match(other.told[0] ?? '', /could not be moved/);
});

test('the elevated instance takes the single-instance lock from the running one whatever the version', async () => {
  let held = true;
  const requests: unknown[] = [];
  const lock = {
    request: (data: unknown) => {
      requests.push(data);
      return !held;
    },
  };
  const claim = claimSingleInstance(lock, {
    version: '1.0.0',
    runningVersion: () => '1.0.0',
    takeover: true,
    sleep: async () => {
      held = false;
    },
  });
  assert.equal(await claim, 'handed-over');
  assert.deepEqual(requests[0], { version: '1.0.0', takeover: true });
  held = true;
  assert.equal(
    await claimSingleInstance(lock, { version: '1.0.0', runningVersion: () => '1.0.0', sleep: async () => undefined }),
    'other-instance-running',
    'an ordinary second start of the same version still gives way',
  );
});
