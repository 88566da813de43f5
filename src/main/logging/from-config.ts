// The process logger a connector uses, from its loaded config: directory, level, rotation, and
// every secret it knows of (the token, secrets read from files or variables, header values).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from '../config/load-config.js';
import { readStoredSecret } from '../integrations/common/stored-secret.js';
import { createProcessLogger, type ProcessLogger } from './process-logger.js';
import { SECRET_KEY } from './redact.js';

/** `logs.dir` (relative to the config file), else `<dataDir>/logs`. */
export function logDirFor(loaded: LoadedConfig): string {
  const configured = loaded.config.logs?.dir;
  return configured ? path.resolve(loaded.dir, configured) : path.join(loaded.dataDir, 'logs');
}

export function processLoggerFor(
  loaded: LoadedConfig,
  options: { token?: string; console?: boolean } = {},
): ProcessLogger {
  const logs = loaded.config.logs ?? {};
  return createProcessLogger({
    dir: logDirFor(loaded),
    level: logs.level,
    maxSizeMb: logs.maxSizeMb,
    keep: logs.keep,
    console: options.console,
    secrets: [...(options.token ? [options.token] : []), ...configuredSecrets(loaded.config, loaded.dir)],
  });
}

/**
 * Secret values referenced by the config: `{file}` / `{env}` references under secret-sounding
 * keys (password, token, clientSecret, …) are resolved (best
 * effort; a missing one is reported by the integration that needs it) and header values are
 * treated as secret, since gateways put keys there.
 */
export function configuredSecrets(config: unknown, configDir: string): string[] {
  const found: string[] = [];
  const walk = (value: unknown, key: string) => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, key);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const obj = value as Record<string, unknown>;
    if (SECRET_KEY.test(key) && Object.keys(obj).length === 1) {
      const v =
        typeof obj.env === 'string'
          ? process.env[obj.env]
          : typeof obj.file === 'string'
            ? readQuietly(path.resolve(configDir, obj.file))
            : typeof obj.stored === 'string'
              ? readStoredQuietly(configDir, obj.stored)
              : null;
      if (v) found.push(v);
      return;
    }
    for (const [k, v] of Object.entries(obj)) {
      if (k === 'headers' && typeof v === 'object' && v !== null) {
        for (const h of Object.values(v)) if (typeof h === 'string') found.push(h);
      } else {
        walk(v, k);
      }
    }
  };
  walk(config, '');
  return found;
}

function readStoredQuietly(configDir: string, name: string): string | null {
  try {
    return readStoredSecret(configDir, name);
  } catch {
    return null;
  }
}

function readQuietly(file: string): string | null {
  try {
    // Same trimming as the integrations' readSecret: a trailing newline is not part of the secret.
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch {
    return null;
  }
}
