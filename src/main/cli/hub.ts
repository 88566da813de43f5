// `cloud-connector hub`: the reference platform, until SIGINT/SIGTERM (then goaway and drain).
import { readFileSync } from 'node:fs';
import { readApiKeys } from '../../hub/api-keys.js';
import { CLUSTER_ARG_OPTIONS, CLUSTER_USAGE, clusterOptionsFromArgs } from '../../hub/cluster/cluster-args.js';
import { startHub } from '../../hub/hub-server.js';
import { HEARTBEAT_MS, MAX_HEARTBEAT_MS, MAX_PENDING_HELLOS } from '../../shared/protocol/index.js';
import { createConsoleLogger } from '../core/logger.js';
import { parseCommandArgs, required, UsageError } from './args.js';

const USAGE =
  'cloud-connector hub --port N [--host H] --tokens FILE --api-key-file FILE [--tls-cert FILE --tls-key FILE] ' +
  `[--alert-webhook URL] [--alert-after-s N] [--heartbeat-ms N] [--max-pending-hellos N] ${CLUSTER_USAGE}`;

export async function hub(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      tokens: { type: 'string' },
      'api-key-file': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'alert-webhook': { type: 'string' },
      'alert-after-s': { type: 'string' },
      'heartbeat-ms': { type: 'string' },
      'max-pending-hellos': { type: 'string' },
      ...CLUSTER_ARG_OPTIONS,
    },
    USAGE,
  );
  const port = Number(required(values.port, '--port', USAGE));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0–65535.');
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) {
    throw new UsageError('--tls-cert and --tls-key go together.');
  }
  const alertAfterS = values['alert-after-s'] === undefined ? 60 : Number(values['alert-after-s']);
  if (!Number.isFinite(alertAfterS) || alertAfterS <= 0 || alertAfterS > 86_400) {
    throw new UsageError('--alert-after-s must be a number of seconds above 0 (at most 86400).');
  }
  const webhookUrl = values['alert-webhook'];
  if (webhookUrl !== undefined && !/^https?:\/\/[^/]/i.test(webhookUrl)) {
    throw new UsageError('--alert-webhook must be an http:// or https:// URL.');
  }
  const heartbeatMs = integerOption(values['heartbeat-ms'], '--heartbeat-ms', HEARTBEAT_MS, 1_000, MAX_HEARTBEAT_MS);
  const maxPendingHellos = integerOption(
    values['max-pending-hellos'],
    '--max-pending-hellos',
    MAX_PENDING_HELLOS,
    1,
    100_000,
  );
  const apiKeys = readApiKeys(required(values['api-key-file'], '--api-key-file', USAGE));
  if (apiKeys.length === 0) throw new UsageError('The API key file holds no key.');
  const cluster = clusterOptionsFromArgs(values);
  const logger = createConsoleLogger();
  const server = await startHub({
    port,
    host: values.host ?? '127.0.0.1',
    tokensFile: required(values.tokens, '--tokens', USAGE),
    apiKeys,
    tls: values['tls-cert']
      ? { cert: readFileSync(values['tls-cert'], 'utf8'), key: readFileSync(values['tls-key'] as string, 'utf8') }
      : undefined,
    timers: { heartbeatMs },
    maxPendingHellos,
    alerts: { noConnectorAfterMs: Math.round(alertAfterS * 1000), webhookUrl },
    logger,
    cluster,
  });
  logger.info('hub listening', { connectors: server.wsUrl, api: server.httpUrl });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('stopping: telling connectors to move (goaway) and finishing calls in flight', { signal });
      server.close({ graceful: true }).then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  logger.info('hub stopped');
  return 0;
}

function integerOption(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}.`);
  return n;
}
