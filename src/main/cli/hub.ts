// `cloud-connector hub`: the reference platform, until SIGINT/SIGTERM (then goaway and drain).
import { readFileSync } from 'node:fs';
import { readApiKeys } from '../../hub/api-keys.js';
import { startHub } from '../../hub/hub-server.js';
import { createConsoleLogger } from '../core/logger.js';
import { parseCommandArgs, required, UsageError } from './args.js';

const USAGE =
  'cloud-connector hub --port N [--host H] --tokens FILE --api-key-file FILE [--tls-cert FILE --tls-key FILE]';

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
    },
    USAGE,
  );
  const port = Number(required(values.port, '--port', USAGE));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0–65535.');
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) {
    throw new UsageError('--tls-cert and --tls-key go together.');
  }
  const apiKeys = readApiKeys(required(values['api-key-file'], '--api-key-file', USAGE));
  if (apiKeys.length === 0) throw new UsageError('The API key file holds no key.');
  const logger = createConsoleLogger();
  const server = await startHub({
    port,
    host: values.host ?? '127.0.0.1',
    tokensFile: required(values.tokens, '--tokens', USAGE),
    apiKeys,
    tls: values['tls-cert']
      ? { cert: readFileSync(values['tls-cert'], 'utf8'), key: readFileSync(values['tls-key'] as string, 'utf8') }
      : undefined,
    logger,
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
