// `cloud-connector run --config FILE`: the headless connector. One log line per state change;
// SIGINT/SIGTERM drain (finish calls in flight, up to the grace period) and exit 0.
import { loadConfigFile } from '../config/load-config.js';
import { bareTokenFor, readToken } from '../config/token.js';
import { processLoggerFor } from '../logging/from-config.js';
import { createRuntime } from '../runtime.js';
import { parseCommandArgs, required } from './args.js';

const USAGE = 'cloud-connector run --config FILE';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, { config: { type: 'string' } }, USAGE);
  const loaded = loadConfigFile(required(values.config, '--config', USAGE));
  const token = bareTokenFor(readToken(loaded.tokenFile), loaded.config.platformUrl);
  // Log lines go to stderr and to rotating files in the log folder; the token is masked in both.
  const logger = processLoggerFor(loaded, { token, console: true });
  const runtime = createRuntime(loaded, token, logger, { audit: true });
  logger.info('starting', {
    environment: loaded.config.environment,
    logDir: logger.dir,
    platform: redactUrl(loaded.config.platformUrl),
    methods: runtime.connector.methods.join(',') || 'none',
  });
  runtime.connector.start();
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('stopping: draining calls in flight', { signal });
      runtime.shutdown().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  logger.info('stopped');
  return 0;
}

/** URLs are logged without credentials. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    url.search = '';
    return url.toString();
  } catch {
    return '(invalid URL)';
  }
}
