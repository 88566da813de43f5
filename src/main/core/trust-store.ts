// The certificates the connector trusts for every TLS connection it makes: the platform, data
// sources, document stores, OAuth2 token endpoints, HL7 receivers and https:// proxies.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

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
