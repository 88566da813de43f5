// Reads and validates the connector's JSON config file. Relative paths resolve against the
// config file's folder; errors name the key and what it expects, never a secret value.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { type ConnectorConfig, connectorConfigSchema } from '../../shared/config/schema.js';
import { ConfigError } from './config-error.js';

export interface LoadedConfig {
  config: ConnectorConfig;
  /** Absolute path of the config file. */
  file: string;
  dir: string;
  /** Absolute data directory: `dataDir`, or `data/<environment>` beside the config file. */
  dataDir: string;
  tokenFile?: string;
  caFile?: string;
}

export function loadConfigFile(file: string): LoadedConfig {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT' ? `Config file not found: ${absolute}` : `Config file cannot be read (${code}): ${absolute}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Config file is not valid JSON: ${absolute} (${(error as Error).message})`);
  }
  return resolveConfig(parseConfig(json), absolute);
}

export function parseConfig(json: unknown): ConnectorConfig {
  // reportInput lets the error tell "missing" from "wrong type"; values are never printed.
  const parsed = connectorConfigSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) throw new ConfigError(describeConfigIssues(parsed.error));
  return parsed.data;
}

export function resolveConfig(config: ConnectorConfig, file: string): LoadedConfig {
  const dir = path.dirname(file);
  const abs = (p: string | undefined) => (p === undefined ? undefined : path.resolve(dir, p));
  return {
    config,
    file,
    dir,
    dataDir: abs(config.dataDir) ?? path.join(dir, 'data', config.environment),
    tokenFile: abs(config.tokenFile),
    caFile: abs(config.caFile),
  };
}

/** "Config error: patientLookup.latencyMs: expected number" — one line per problem. */
export function describeConfigIssues(error: z.ZodError): string {
  const lines = error.issues.slice(0, 10).map((issue) => {
    const at = issue.path.length ? issue.path.join('.') : '';
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys
          .map(
            (k) =>
              `${at ? `${at}.` : ''}${k}: unknown key (check the spelling; see the README for the keys allowed here)`,
          )
          .join('\n');
      case 'invalid_type':
        return issue.input === undefined
          ? `${at}: is required (expected ${issue.expected})`
          : `${at}: expected ${issue.expected}`;
      case 'invalid_value':
        return `${at}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      case 'invalid_union':
        return `${at}: ${'discriminator' in issue && issue.discriminator ? `unknown or missing "${String(issue.discriminator)}"` : 'does not match any allowed form'}${describeUnionOptions(issue)}`;
      case 'too_small':
        return `${at}: must be at least ${String(issue.minimum)}`;
      case 'too_big':
        return `${at}: must be at most ${String(issue.maximum)}`;
      default:
        return `${at || '(top level)'}: ${issue.message}`;
    }
  });
  return `Config error:\n  ${lines.join('\n  ')}`;
}

function describeUnionOptions(issue: z.core.$ZodIssue): string {
  const note = (issue as { note?: string }).note;
  return note ? ` (${note})` : '';
}
