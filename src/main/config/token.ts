// Where the auth token comes from on a headless connector: CONNECTOR_TOKEN, or a file that only
// its owner can read. The token is never logged; errors name the source, not the value.
import { readFileSync, statSync } from 'node:fs';
import { parsePastedToken, platformHost } from '../../shared/ipc/token-format.js';
import type { Environment } from '../../shared/protocol/index.js';
import { ConfigError } from './config-error.js';

export function readToken(tokenFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CONNECTOR_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  if (!tokenFile) {
    throw new ConfigError('No token: set tokenFile in the config or the CONNECTOR_TOKEN environment variable.');
  }
  let text: string;
  try {
    text = readFileSync(tokenFile, 'utf8');
  } catch (error) {
    throw new ConfigError(`tokenFile cannot be read (${(error as NodeJS.ErrnoException).code}): ${tokenFile}`);
  }
  if (process.platform !== 'win32') {
    const mode = statSync(tokenFile).mode & 0o077;
    if (mode !== 0) {
      throw new ConfigError(`tokenFile is readable by other users: ${tokenFile}. Run: chmod 600 "${tokenFile}"`);
    }
  }
  const token = text.trim();
  if (!token) throw new ConfigError(`tokenFile is empty: ${tokenFile}`);
  return token;
}

/** The environment a token was issued for, from its `cc_<env>_` prefix, or null if it has none. */
export function tokenEnvironment(token: string): Environment | null {
  const match = /^cc_(demo|production)_/.exec(token);
  return match ? (match[1] as Environment) : null;
}

/** Refuses a token made for the other environment before it ever leaves the machine. */
export function assertTokenMatchesEnvironment(token: string, environment: Environment): void {
  const tokenEnv = tokenEnvironment(token);
  if (tokenEnv && tokenEnv !== environment) {
    throw new ConfigError(
      `The token is for the ${tokenEnv} environment but this connector is configured for ${environment}. ` +
        'Use a token created for this environment.',
    );
  }
}

/**
 * The token as given may carry its platform address (`cc_…@platform.example.com`, PROTOCOL §9).
 * Only the part before `@` is the token; the address must be the configured platformUrl, since a
 * token is never sent to an address other than the one it came with.
 */
export function bareTokenFor(token: string, platformUrl: string): string {
  const parsed = parsePastedToken(token);
  if (!parsed.ok) {
    if (parsed.problem === 'bad_address') {
      throw new ConfigError('The token ends in @ and something that is not a platform address. Check the token file.');
    }
    return token;
  }
  if (!parsed.address) return parsed.token;
  let configured: string;
  try {
    configured = new URL(platformUrl).href;
  } catch {
    configured = platformUrl;
  }
  if (parsed.address.platformUrl !== configured) {
    throw new ConfigError(
      `The token is for the platform at ${parsed.address.host}, but platformUrl is ${platformHost(platformUrl) ?? 'another address'}. ` +
        `Set platformUrl to ${parsed.address.platformUrl}, or use the token meant for this platform.`,
    );
  }
  return parsed.token;
}
