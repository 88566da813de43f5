// Outbound WebSocket options: TLS ≥ 1.2 with verification against the system store plus an
// optional CA file, plain ws:// only to loopback, and an HTTP CONNECT proxy when one applies.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import type { ClientOptions } from 'ws';
import { type ProxyLookup, SystemProxyAgent } from './system-proxy.js';

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

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

/** Where Linux distributions keep the system's CA bundle (Debian/Ubuntu, RHEL/Fedora, SUSE, Alpine). */
const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

/**
 * The trust store: the operating system's store, Node's bundled roots, NODE_EXTRA_CA_CERTS and
 * the configured CA file. Passing `ca` replaces Node's default store, so every source is listed.
 * Newer Node (and Electron) read the OS store with tls.getCACertificates('system'), Windows and
 * macOS included; without it the system bundle file is read where the platform has one.
 */
export function trustedCertificates(caFile?: string): string[] {
  const getCa = (tls as unknown as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  const system = getCa ? safe(() => getCa('system')) : systemBundle();
  // Node reads NODE_EXTRA_CA_CERTS into 'default' once at start-up; reading the file here as well
  // keeps a CA named later (a service manager's environment, a test) trusted.
  const bundled = [...(getCa ? safe(() => getCa('default')) : tls.rootCertificates), ...extraCaCerts()];
  const extra = caFile ? [readFileSync(caFile, 'utf8')] : [];
  return [...new Set([...bundled, ...system, ...extra])];
}

function systemBundle(): string[] {
  for (const file of SYSTEM_BUNDLES) {
    try {
      return [readFileSync(file, 'utf8')];
    } catch {
      // not this distribution's path
    }
  }
  return [];
}

function extraCaCerts(): string[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return [readFileSync(file, 'utf8')];
  } catch {
    return [];
  }
}

function safe(fn: () => string[]): string[] {
  try {
    return fn();
  } catch {
    return [];
  }
}

/** The proxy URL for this platform URL, or null for a direct connection. */
export function proxyFor(platformUrl: string, explicitProxy?: string): string | null {
  const url = new URL(platformUrl);
  if (isLoopbackHost(url.hostname) && !explicitProxy) return null;
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
  const system = lookup && usesSystemProxy(options.platformUrl, options.proxy) ? new SystemProxyAgent(lookup) : null;
  return {
    ...tlsOptions,
    maxPayload: options.maxMessageBytes,
    handshakeTimeout: options.handshakeTimeoutMs,
    perMessageDeflate: false,
    followRedirects: false,
    agent: system ?? (proxy ? new HttpsProxyAgent(proxy) : undefined),
  };
}
