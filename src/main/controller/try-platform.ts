// The wizard's "Test connection": one real connection attempt with the pasted token, reported in
// the words of UX.md (what happened, the likely cause, what to do) with the technical line apart.

import type { ConnectorConfig } from '../../shared/config/schema.js';
import type { PlatformTestResult } from '../../shared/ipc/channels.js';
import { ENVIRONMENT_LABEL } from '../../shared/ipc/status-words.js';
import { checkPastedToken } from '../../shared/ipc/token-format.js';
import { ConfigError } from '../config/config-error.js';
import { resolveConfig } from '../config/load-config.js';
import { probePlatform } from '../core/probe.js';
import { settingsFrom } from '../runtime.js';
import { configErrorWords } from './setup-config.js';

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 80);
  }
}

export async function tryPlatform(
  config: ConnectorConfig,
  configFile: string,
  token: string,
  timeoutMs = 15_000,
): Promise<PlatformTestResult> {
  const host = hostOf(config.platformUrl);
  const name = ENVIRONMENT_LABEL[config.environment];
  const base = { host, tenant: null, latencyMs: null };
  const check = checkPastedToken(token, config.environment);
  if (!check.ok) {
    if (check.problem === 'wrong_environment') {
      return {
        ...base,
        outcome: 'wrong_environment',
        message: `This token is for ${ENVIRONMENT_LABEL[check.environment as 'demo']}, not ${name}. Paste a token created for ${name}, or go back and choose ${ENVIRONMENT_LABEL[check.environment as 'demo']}.`,
        detail: 'checked on this computer; nothing was sent',
      };
    }
    return {
      ...base,
      outcome: 'invalid',
      message: 'This does not look like a connection token. Check you copied all of it: it starts with cc_.',
      detail: 'checked on this computer; nothing was sent',
    };
  }
  let settings: ReturnType<typeof settingsFrom>;
  try {
    settings = settingsFrom(resolveConfig(config, configFile));
  } catch (error) {
    if (!(error instanceof ConfigError) && !(error instanceof Error)) throw error;
    const words = error instanceof ConfigError ? configErrorWords(error).message : error.message;
    return { ...base, outcome: 'invalid', message: `Check the network settings: ${words}`, detail: '' };
  }
  const result = await probePlatform(settings, token, timeoutMs);
  const via = result.viaProxy ? 'through the proxy' : 'direct';
  const detail = [`${host}`, via, result.closeCode ? `close code ${result.closeCode}` : null, result.message]
    .filter(Boolean)
    .join(' · ');
  switch (result.outcome) {
    case 'connected':
      return {
        host,
        tenant: result.tenant ?? null,
        latencyMs: result.latencyMs ?? null,
        outcome: 'connected',
        message: `Connected to ${host}${result.tenant ? ` as ${result.tenant}` : ''}.`,
        detail,
      };
    case 'rejected':
      return {
        ...base,
        outcome: 'rejected',
        message: 'The token was not accepted. Check you copied all of it, or ask your platform contact for a new one.',
        detail,
      };
    case 'wrong_environment':
      return {
        ...base,
        outcome: 'wrong_environment',
        message: `The platform says this token is not for ${name}. Paste a token created for ${name}.`,
        detail,
      };
    case 'update_required':
      return {
        ...base,
        outcome: 'update_required',
        message: 'The platform needs a newer version of Cloud Connector. Install the latest version, then try again.',
        detail,
      };
    case 'protocol_error':
      return {
        ...base,
        outcome: 'protocol_error',
        message:
          'Something answered at that address, but it is not the platform. Check the platform address under Network settings.',
        detail,
      };
    default:
      return {
        ...base,
        outcome: 'unreachable',
        message: result.viaProxy
          ? 'Cannot reach the platform through the proxy. Check the proxy settings under Network settings, or ask your IT team.'
          : 'Cannot reach the platform. Check this computer is online; if it is, a firewall or proxy may be blocking the connection.',
        detail,
      };
  }
}
