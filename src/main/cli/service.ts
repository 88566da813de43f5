// `cloud-connector service`: the connector as a Windows service or Linux daemon, with the local
// control channel the tray app attaches to. SIGTERM (systemd) and SIGINT (the Windows service
// wrapper sends Ctrl+C) drain every connector, up to the 30 s grace, and exit 0.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { readPlatformAddresses } from '../app/platform-addresses.js';
import { createProcessLogger } from '../logging/process-logger.js';
import { serviceAnswers } from '../service/attach-decision.js';
import { defaultServiceDataDir, fileProtectionFor } from '../service/data-folder.js';
import { startService } from '../service/service-host.js';
import { parseCommandArgs, UsageError } from './args.js';

export const SERVICE_USAGE = `cloud-connector service [--data-dir DIR] [--port N]

Runs Cloud Connector for a service manager (the Windows service the MSI installs, or the
systemd unit deploy/cloud-connector.service), so that it keeps working when nobody is signed
in. It hosts both environments (Production and Demo) with the set-up kept in the data folder,
and serves the tray app over a control channel that only this computer can reach.

Options:
  --data-dir DIR  the machine-wide data folder (default: ${defaultServiceDataDir('linux')} on Linux,
                  %ProgramData%\\Cloud Connector on Windows). Readable only by the service
                  account and root / Administrators, except control.json and viewer.key.
  --port N        the control channel's port on 127.0.0.1 (default: any free port)
  -h, --help      this text

The data folder holds:
  control.json    where the control channel listens (port, process id); every local user
  viewer.key      lets the tray app show status, recent calls and diagnostics; every local user
  admin.key       also lets it change the set-up, pause and reconnect; root / Administrators
                  and the service account only
  production/, demo/  each environment's connector.json, token (only the service account can
                  read it) and data (connector id, audit log)
  logs/service.log    the process log (also written to stderr for the journal)
New keys are written on every start. A request without a valid key, with a browser's Origin,
or naming another host is refused.

Stopping: SIGTERM or SIGINT (Ctrl+C) tells the platform each connector is draining, finishes
the calls in flight (up to 30 s) and exits 0. Exit code 2: a usage error.
Platform addresses the wizard starts from: platform.json beside the program (written by the
build from build/platform.json), overridden by CC_PLATFORM_URL_PRODUCTION, CC_PLATFORM_URL_DEMO.`;

export async function service(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { 'data-dir': { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    SERVICE_USAGE,
  );
  if (values.help) {
    process.stdout.write(`${SERVICE_USAGE}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n\nUsage: ${SERVICE_USAGE}`);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port: expected a port number (0 to 65535).\n\nUsage: ${SERVICE_USAGE}`);
  }
  const dataDir = path.resolve(values['data-dir'] ?? defaultServiceDataDir());
  // A second service on the same folder would replace the first one's keys under its clients.
  if (await serviceAnswers(dataDir, 1_000)) {
    process.stderr.write(`Cloud Connector's service is already running on ${dataDir}; not starting a second one.\n`);
    return 1;
  }
  const protection = fileProtectionFor();
  protection.protectFolder(dataDir);
  const logsDir = path.join(dataDir, 'logs');
  mkdirSync(logsDir, { recursive: true, mode: 0o700 });
  const logger = createProcessLogger({ dir: logsDir, fileName: 'service.log', console: true });
  // The vendor's addresses, staged beside the bundle for the MSI's service as for the app.
  const platformUrls = readPlatformAddresses(path.join(path.dirname(process.argv[1] ?? '.'), 'platform.json'));
  const running = await startService({ dataDir, protection, platformUrls, logger, port });
  logger.info('control channel listening', { port: running.control.port, dataDir });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('stopping: draining calls in flight', { signal });
      running.stop().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  logger.info('stopped');
  return 0;
}
