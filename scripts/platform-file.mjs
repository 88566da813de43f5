// build/platform.json: the platform address per environment that the vendor fills in before
// building the MSI. The build copies it beside the main bundle (dist/main/platform.json); the MSI
// build (scripts/msi/before-pack.cjs) refuses placeholder addresses unless the build is generic
// (CC_GENERIC_BUILD=1: no addresses built in, the wizard asks for them).
import { readFileSync } from 'node:fs';

export const ENVIRONMENTS = ['production', 'demo'];

/** Reserved names (RFC 2606 / 6761): an address under one of them is a placeholder, not a platform. */
const PLACEHOLDER_HOST = /(^|\.)(example|invalid|test|localhost)$|(^|\.)example\.(com|net|org)$/i;

export function readPlatformFile(file, { generic = process.env.CC_GENERIC_BUILD === '1' } = {}) {
  if (generic) return { production: null, demo: null };
  const parsed = JSON.parse(readFileSync(file, 'utf8'));
  const out = {};
  for (const env of ENVIRONMENTS) {
    const value = parsed[env];
    if (value !== null && (typeof value !== 'string' || !/^wss?:\/\/[^/\s]+/i.test(value))) {
      throw new Error(`${file}: "${env}" must be a wss:// address or null`);
    }
    out[env] = value;
  }
  return out;
}

/** Why these addresses must not ship, in words; empty when they may. */
export function placeholderProblems(addresses) {
  return ENVIRONMENTS.flatMap((env) => {
    const value = addresses[env];
    if (value === null || value === undefined) return [];
    const url = new URL(value);
    if (PLACEHOLDER_HOST.test(url.hostname)) return [`${env}: ${value} is a placeholder`];
    // The connector refuses plain ws:// to anything but this computer: such an app could never connect.
    if (url.protocol !== 'wss:') return [`${env}: ${value} is not wss:// (plain ws:// only reaches this computer)`];
    return [];
  });
}
