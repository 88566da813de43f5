// Converts between what the wizard edits (SetupInput) and the connector's config file. Keys the
// wizard does not show (timers, deadlines, name …) are kept from the existing file untouched.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConnectorConfig } from '../../shared/config/schema.js';
import { consentStoreConfigSchema, patientLookupConfigSchema } from '../../shared/config/sources.js';
import type { IntegrationInput, NetworkSettings, SetupInput } from '../../shared/ipc/channels.js';
import {
  maskProxyPassword,
  PROXY_PASSWORD_PLACEHOLDER,
  proxyParts,
  restoreProxyPassword,
} from '../../shared/ipc/proxy-url.js';
import type { Environment } from '../../shared/protocol/index.js';
import { ConfigError } from '../config/config-error.js';
import { parseConfig } from '../config/load-config.js';

/** The `type` values a discriminated union accepts in this build (options may be unions themselves). */
function unionTypes(schema: unknown): string[] {
  const found = new Set<string>();
  const visit = (option: unknown) => {
    const o = option as { shape?: { type?: { value?: unknown } }; options?: readonly unknown[] };
    if (typeof o.shape?.type?.value === 'string') found.add(o.shape.type.value);
    else for (const inner of o.options ?? []) visit(inner);
  };
  visit(schema);
  return [...found];
}

export function availableKinds(): { patientLookup: string[]; consentStore: string[] } {
  return {
    patientLookup: unionTypes(patientLookupConfigSchema),
    consentStore: unionTypes(consentStoreConfigSchema),
  };
}

/** Builds and validates the config; throws ConfigError naming the field (never its value). */
export function configFromSetup(
  input: Pick<SetupInput, 'environment' | 'network' | 'patientLookup' | 'consentStore'>,
  existing: ConnectorConfig | null,
  extras: Record<string, unknown> = {},
): ConnectorConfig {
  const {
    environment: _e,
    platformUrl: _u,
    proxy: _p,
    proxyPassword: _pp,
    caFile: _c,
    patientLookup: _l,
    consentStore: _s,
    tokenFile: _t,
    ...kept
  } = existing ?? {};
  const candidate: Record<string, unknown> = {
    ...extras,
    ...kept,
    environment: input.environment,
    platformUrl: input.network.platformUrl.trim(),
  };
  if (input.network.proxyMode === 'manual') {
    if (!input.network.proxyUrl?.trim())
      throw new ConfigError('network.proxyUrl: type the proxy address, or choose "Use Windows settings".');
    // The window only ever sees a placeholder for the saved proxy password.
    const proxy = restoreProxyPassword(input.network.proxyUrl, existing?.proxy);
    if (proxy === null)
      throw new ConfigError('network.proxyUrl: the proxy address changed; type the proxy password again.');
    candidate.proxy = proxy;
  }
  if (input.network.caFile?.trim()) candidate.caFile = input.network.caFile.trim();
  if (input.patientLookup) candidate.patientLookup = input.patientLookup;
  if (input.consentStore) candidate.consentStore = input.consentStore;
  return parseConfig(candidate);
}

/** What the window may see of a saved config: the proxy password is replaced by a placeholder. */
export function setupFromConfig(config: ConnectorConfig): {
  network: NetworkSettings;
  patientLookup: IntegrationInput | null;
  consentStore: IntegrationInput | null;
} {
  return {
    network: {
      platformUrl: config.platformUrl,
      proxyMode: config.proxy ? 'manual' : 'system',
      ...(config.proxy ? { proxyUrl: maskProxyPassword(withPlaceholder(config)) } : {}),
      ...(config.caFile ? { caFile: config.caFile } : {}),
    },
    patientLookup: (config.patientLookup as IntegrationInput | undefined) ?? null,
    consentStore: (config.consentStore as IntegrationInput | undefined) ?? null,
  };
}

/** A password kept apart (proxyPassword) shows as the placeholder, as one inside the address does. */
function withPlaceholder(config: ConnectorConfig): string {
  const proxy = config.proxy ?? '';
  const p = proxyParts(proxy);
  return config.proxyPassword && p && p.password === null
    ? `${p.scheme}${p.user}:${PROXY_PASSWORD_PLACEHOLDER}@${p.rest}`
    : proxy;
}

export function writeConfigFile(file: string, config: ConnectorConfig): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

export function defaultNetwork(platformUrl: string): NetworkSettings {
  return { platformUrl, proxyMode: 'system' };
}

export interface EnvironmentPaths {
  dir: string;
  configFile: string;
}

export function environmentPaths(baseDir: string, environment: Environment): EnvironmentPaths {
  const dir = path.join(baseDir, environment);
  return { dir, configFile: path.join(dir, 'connector.json') };
}

/** The first line of a ConfigError ("Config error:" header removed), for the wizard. */
export function configErrorWords(error: ConfigError): { message: string; field: string | null } {
  const lines = error.message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l !== 'Config error:');
  const first = lines[0] ?? error.message;
  const field = /^([A-Za-z0-9_.]+):/.exec(first)?.[1] ?? null;
  return { message: first, field };
}
