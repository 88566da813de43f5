// What the desktop app's main process calls at start instead of creating the AppController
// itself: attach to the service when one is installed (the decision in attach-decision.ts), else
// host the connector in-process as before. Also what the app needs for the one-time move: which
// environments still have a set-up of the app's own, and the move into a running service.
import { existsSync } from 'node:fs';
import { ENVIRONMENT_LABEL } from '../../shared/ipc/status-words.js';
import { ENVIRONMENTS, type Environment } from '../../shared/protocol/index.js';
import type { AppController, LoginItem } from '../controller/app-controller.js';
import { environmentPaths } from '../controller/setup-config.js';
import type { Logger } from '../core/logger.js';
import { chooseHost, type HostDecision, serviceAnswers } from './attach-decision.js';
import { AttachedController } from './attached-controller.js';
import { defaultServiceDataDir } from './data-folder.js';
import { type MoveOptions, type MoveResult, moveToService } from './move-to-service.js';
import type { ServiceControl } from './service-control.js';

export type AppHost<T = AppController> =
  | { mode: 'service'; controller: AttachedController; decision: HostDecision }
  | { mode: 'in-process'; controller: T; decision: HostDecision };

export interface AppHostOptions<T> {
  /** Today's in-process controller (or whatever wraps it), created only when there is no service. */
  inProcess: () => Promise<T>;
  serviceDataDir?: string;
  loginItem?: LoginItem;
  writeClipboard?: (text: string) => void;
  pickPath?: (kind: 'folder' | 'certificate') => Promise<string | null>;
  logger?: Logger;
  /** Tests: the decision without asking the service manager. */
  decide?: (serviceDataDir: string) => Promise<HostDecision>;
}

export async function hostForApp<T>(options: AppHostOptions<T>): Promise<AppHost<T>> {
  const dataDir = options.serviceDataDir ?? defaultServiceDataDir();
  const decision = await (options.decide ?? chooseHost)(dataDir);
  options.logger?.info('connector host chosen', {
    mode: decision.mode,
    role: decision.mode === 'attach' ? decision.role : null,
    reason: decision.reason,
  });
  if (decision.mode === 'in-process') return { mode: 'in-process', controller: await options.inProcess(), decision };
  const controller = await AttachedController.attach({
    dataDir,
    role: decision.role,
    loginItem: options.loginItem,
    writeClipboard: options.writeClipboard,
    pickPath: options.pickPath,
    logger: options.logger,
  });
  return { mode: 'service', controller, decision };
}

/** Environments the app set up itself and has not moved: what to offer to move into the service. */
export function setupsLeftInApp(appBaseDir: string): Environment[] {
  return ENVIRONMENTS.filter((env) => existsSync(environmentPaths(appBaseDir, env).configFile));
}

/** What the app asks once, when it attaches to a service while it still has a set-up of its own. */
export function moveOfferWords(environments: readonly Environment[]): string {
  const names = environments.map((e) => ENVIRONMENT_LABEL[e]).join(' and ');
  return (
    'Cloud Connector now runs as a service on this computer, so it keeps working when nobody is signed in. ' +
    `Move your set-up (${names}) into it? The token and the record of calls move with it; Windows will ask for administrator rights.`
  );
}

/**
 * The move with the service running: stop it (it drains), move, start it again and wait until
 * its control channel answers. Run by the app's elevated helper, with the app's controller closed.
 */
export async function moveIntoService(
  options: MoveOptions & { service: ServiceControl; answerWithinMs?: number },
): Promise<MoveResult> {
  await options.service.stop();
  let result: MoveResult;
  try {
    result = await moveToService(options);
  } finally {
    await options.service.start();
  }
  const until = Date.now() + (options.answerWithinMs ?? 60_000);
  while (!(await serviceAnswers(options.to.dataDir))) {
    if (Date.now() > until) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return result;
}
