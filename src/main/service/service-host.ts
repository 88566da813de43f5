// `cloud-connector service`: the same AppController the app hosts (both environments, the
// wizard's tests, diagnostics, recent calls), run headless by a service manager, with its control
// channel for the tray app. Writes its endpoint and keys into the data folder on every start.
import type { Environment } from '../../shared/protocol/index.js';
import { AppController } from '../controller/app-controller.js';
import type { Logger } from '../core/logger.js';
import { CONNECTOR_VERSION } from '../version.js';
import { newControlKeys, removeEndpointFile, writeControlFiles } from './control-keys.js';
import { type ControlServer, startControlServer } from './control-server.js';
import { type FileProtection, type ServiceFiles, serviceFiles } from './data-folder.js';
import { ServiceTokenStore } from './service-token-store.js';

export interface ServiceOptions {
  dataDir: string;
  protection: FileProtection;
  platformUrls: Record<Environment, string | null>;
  logger: Logger;
  /** 0 (default): any free port; the port is written to control.json. */
  port?: number;
}

export interface RunningService {
  controller: AppController;
  control: ControlServer;
  files: ServiceFiles;
  /** Stops taking control calls, drains every connector (up to its grace), removes control.json. */
  stop(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const files = serviceFiles(options.dataDir);
  options.protection.protectFolder(files.dir);
  const controller = await AppController.create({
    baseDir: files.dir,
    secrets: new ServiceTokenStore(files.dir, options.protection),
    platformUrls: options.platformUrls,
    logsDir: files.logsDir,
    logger: options.logger,
  });
  let control: ControlServer;
  try {
    const keys = newControlKeys();
    control = await startControlServer({ controller, keys, port: options.port, logger: options.logger });
    writeControlFiles(
      files,
      keys,
      { port: control.port, pid: process.pid, version: CONNECTOR_VERSION },
      options.protection,
    );
  } catch (error) {
    await controller.close();
    throw error;
  }
  let stopping: Promise<void> | null = null;
  return {
    controller,
    control,
    files,
    stop() {
      stopping ??= (async () => {
        removeEndpointFile(files);
        await control.close();
        await controller.close();
      })();
      return stopping;
    },
  };
}
