// `cloud-connector service` as a real child process with a temporary data folder, a real hub on
// loopback for its connectors, and clients attached over the real control channel.
import path from 'node:path';
import type { TestContext } from 'node:test';
import { AttachedController, type AttachOptions, type LinkState } from '../../src/main/service/attached-controller.js';
import type { Role } from '../../src/main/service/control-keys.js';
import type { SetupInput } from '../../src/shared/ipc/channels.js';
import type { AppStatus, EnvState } from '../../src/shared/ipc/status.js';
import { type HubFixture, startTestHub } from '../helpers/hub-fixture.js';
import { type ChildHandle, spawnCli } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

export interface ServiceFixture {
  fx: HubFixture;
  dir: string;
  dataDir: string;
  /** The running service process (replaced by restart()). */
  handle: ChildHandle;
  port: number;
  /** Starts the service again on the same data folder (after stop()). */
  restart(): Promise<void>;
  attach(role: Role, extra?: Partial<AttachOptions>): Promise<AttachedController>;
}

export async function startServiceProcess(
  t: TestContext,
  dataDir: string,
  platformUrl: string,
): Promise<{ handle: ChildHandle; port: number }> {
  const handle = spawnCli(t, ['service', '--data-dir', dataDir], {
    env: { CC_PLATFORM_URL_DEMO: platformUrl, CC_PLATFORM_URL_PRODUCTION: platformUrl, CONNECTOR_TOKEN: '' },
  });
  const line = await handle.waitForLine(/control channel listening/, { timeoutMs: 30_000 });
  return { handle, port: Number(/port=(\d+)/.exec(line.text)?.[1]) };
}

export async function startService(t: TestContext, existing?: { fx?: HubFixture; dataDir?: string }) {
  const fx = existing?.fx ?? (await startTestHub(t));
  const dir = tempDir(t, 'cc-svc-');
  const dataDir = existing?.dataDir ?? path.join(dir, 'service-data');
  const first = await startServiceProcess(t, dataDir, fx.hub.wsUrl);
  const fixture: ServiceFixture = {
    fx,
    dir,
    dataDir,
    handle: first.handle,
    port: first.port,
    async restart() {
      const next = await startServiceProcess(t, dataDir, fx.hub.wsUrl);
      fixture.handle = next.handle;
      fixture.port = next.port;
    },
    async attach(role, extra = {}) {
      const controller = await AttachedController.attach({ dataDir, role, retryMinMs: 100, retryMaxMs: 500, ...extra });
      t.after(() => controller.close());
      return controller;
    },
  };
  return fixture;
}

export function demoSetup(fx: HubFixture, token: string, extra: Partial<SetupInput> = {}): SetupInput {
  return {
    environment: 'demo',
    token,
    network: { platformUrl: fx.hub.wsUrl, proxyMode: 'system' },
    patientLookup: { type: 'demo' },
    consentStore: null,
    startAtLogin: false,
    ...extra,
  };
}

/** Resolves when the controller's status shows Demo in `state` (waits on status events). */
export function waitForDemo(
  controller: {
    status(): AppStatus;
    on(e: 'status', l: (s: AppStatus) => void): unknown;
    off(e: 'status', l: (s: AppStatus) => void): unknown;
  },
  state: EnvState,
  timeoutMs = 20_000,
): Promise<AppStatus> {
  const demoState = (s: AppStatus) => s.environments.find((e) => e.environment === 'demo')?.state;
  const now = controller.status();
  if (demoState(now) === state) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      controller.off('status', listener);
      reject(new Error(`Demo never reached ${state}; last ${demoState(controller.status())}`));
    }, timeoutMs);
    const listener = (s: AppStatus) => {
      if (demoState(s) !== state) return;
      clearTimeout(timer);
      controller.off('status', listener);
      resolve(s);
    };
    controller.on('status', listener);
  });
}

/** Every link state the controller goes through from now on. */
export function recordLink(controller: AttachedController): LinkState[] {
  const seen: LinkState[] = [];
  controller.on('link', (s) => seen.push(s));
  return seen;
}
