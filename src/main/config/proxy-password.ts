// The proxy's password lives outside the proxy address: connector.json holds
// `"proxy": "http://user@proxy:8080"` and `"proxyPassword": {"stored": "proxy.password"}` (or a
// file or environment variable), and the connector puts the two together only in memory.
import type { SecretRef } from '../../shared/config/sources.js';
import { proxyParts } from '../../shared/ipc/proxy-url.js';
import { readSecret } from '../integrations/common/secret.js';

export const PROXY_PASSWORD_SECRET = 'proxy.password';

/** The address with the password put back, as it is used to connect. */
export function proxyWithPassword(proxy: string | undefined, ref: SecretRef | undefined, configDir: string) {
  if (!proxy || !ref) return proxy;
  const p = proxyParts(proxy);
  if (!p) return proxy;
  return `${p.scheme}${p.user}:${readSecret(ref, configDir, 'proxyPassword')}@${p.rest}`;
}

/** Splits a typed address into the one written to the config and the password kept as a secret. */
export function splitProxyPassword(proxy: string): { proxy: string; password: string | null } {
  const p = proxyParts(proxy);
  if (!p || !p.password) return { proxy, password: null };
  return { proxy: `${p.scheme}${p.user}@${p.rest}`, password: p.password };
}
