// Where the connectors run, chosen in one place. Today: inside this process (the AppController
// hosts both environments). A Windows service running the connector on its own (src/main/service)
// will add the other choice, attaching to the running service instead of hosting the connectors,
// behind this same interface, so that the shell, the tray and IPC do not change.
import type { IpcHandlers } from '../../shared/ipc/channels.js';
import { AppController, type ControllerOptions } from '../controller/app-controller.js';
import type { ShellController } from './app-shell.js';

export interface ConnectorHost extends ShellController {
  /** The IPC contract's handlers, one per channel. */
  readonly handlers: IpcHandlers;
}

export function startConnectorHost(options: ControllerOptions): Promise<ConnectorHost> {
  return AppController.create(options);
}
