// The CONNECT agent for a proxy the connector was given or told of. For an https:// proxy the TLS
// to the proxy itself is verified too (the proxy sees the CONNECT target and any proxy password),
// against the same trust store as the platform: a TLS-inspecting proxy's CA is what `caFile` is
// for. Explicit, so that NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot relax it.
import { HttpsProxyAgent } from 'https-proxy-agent';
import { trustedCertificates } from './trust-store.js';

export function proxyAgent(proxy: string, caFile: string | undefined): HttpsProxyAgent<string> {
  const verifyProxy = /^https:/i.test(proxy)
    ? { minVersion: 'TLSv1.2' as const, rejectUnauthorized: true, ca: trustedCertificates(caFile) }
    : {};
  return new HttpsProxyAgent(proxy, verifyProxy);
}
