// The connector's semver, from package.json at build time (esbuild define) or at run time.
import { readFileSync } from 'node:fs';

declare const __CONNECTOR_VERSION__: string | undefined;

function readVersion(): string {
  if (typeof __CONNECTOR_VERSION__ === 'string') return __CONNECTOR_VERSION__;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    return String(pkg.version);
  } catch {
    return '0.0.0';
  }
}

export const CONNECTOR_VERSION = readVersion();
