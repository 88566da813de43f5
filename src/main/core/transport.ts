// Outbound WebSocket options: TLS ≥ 1.2 with verification against the system store plus an
// optional CA file, plain ws:// only to loopback, and an HTTP CONNECT proxy when one applies.
import { isIP } from 'node:net';
import { getProxyForUrl } from 'proxy-from-env';
import type { ClientOptions } from 'ws';
import { proxyAgent } from './proxy-agent.js';
import { type ProxyLookup, SystemProxyAgent } from './system-proxy.js';
import { trustedCertificates } from './trust-store.js';

export interface TransportOptions {
  platformUrl: string;
  caFile?: string;
  /** Explicit proxy from config; otherwise HTTPS_PROXY/HTTP_PROXY and NO_PROXY apply. */
  proxy?: string;
  maxMessageBytes: number;
  handshakeTimeoutMs: number;
  /** Asks the system for the proxy at each connect (the app: Electron's resolveProxy); no explicit proxy only. */
  resolveProxy?: ProxyLookup;
}

/** The process's system proxy lookup, when it has one (the desktop app registers Electron's at start-up). */
let systemProxyLookup: ProxyLookup | undefined;
export function useSystemProxyLookup(lookup: ProxyLookup | undefined): void {
  systemProxyLookup = lookup;
}

/** Whether connections to this platform ask the system for their proxy (then DNS is the proxy's job). */
export function usesSystemProxy(platformUrl: string, explicitProxy?: string): boolean {
  return systemProxyLookup !== undefined && !explicitProxy && !isLoopbackHost(new URL(platformUrl).hostname);
}

export class TransportConfigError extends Error {}

/**
 * "This computer": a literal loopback address (127.0.0.0/8, ::1) or exactly `localhost`. A name
 * such as `evil.localhost` is not: whatever resolves it may point it anywhere, and plain ws://
 * carries the token in clear.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

export { trustedCertificates } from './trust-store.js';

/**
 * The proxy URL for this platform URL, or null for a direct connection. A platform on this
 * computer is always reached directly, even with a proxy configured: a proxy has no business
 * seeing loopback traffic, and on ws:// that traffic is the token in clear.
 */
export function proxyFor(platformUrl: string, explicitProxy?: string): string | null {
  const url = new URL(platformUrl);
  if (isLoopbackHost(url.hostname)) return null;
  if (explicitProxy) return explicitProxy;
  // proxy-from-env reads `<scheme>_proxy`; a WebSocket travels as HTTP(S), so ask for that scheme.
  const httpUrl = `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}${url.pathname}`;
  return getProxyForUrl(httpUrl) || null;
}

export function buildClientOptions(options: TransportOptions): ClientOptions {
  const url = new URL(options.platformUrl);
  if (url.protocol === 'ws:' && !isLoopbackHost(url.hostname)) {
    throw new TransportConfigError(
      'platformUrl: plain ws:// is only allowed to this computer (loopback); use wss:// for the platform.',
    );
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TransportConfigError('platformUrl: must start with wss://');
  }
  const tlsOptions =
    url.protocol === 'wss:'
      ? {
          minVersion: 'TLSv1.2' as const,
          rejectUnauthorized: true,
          ca: trustedCertificates(options.caFile),
        }
      : {};
  const proxy = proxyFor(options.platformUrl, options.proxy);
  const lookup = options.resolveProxy ?? systemProxyLookup;
  const system =
    lookup && usesSystemProxy(options.platformUrl, options.proxy) ? new SystemProxyAgent(lookup, options.caFile) : null;
  return {
    ...tlsOptions,
    maxPayload: options.maxMessageBytes,
    handshakeTimeout: options.handshakeTimeoutMs,
    perMessageDeflate: false,
    followRedirects: false,
    agent: system ?? (proxy ? proxyAgent(proxy, options.caFile) : undefined),
  };
}
