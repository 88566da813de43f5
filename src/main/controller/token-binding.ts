// The saved token goes only where it was set up to go: the platform address, the proxy and the CA
// file it was saved with, together. A proxy sees where the connection goes; a CA file decides whom
// the connector believes is the platform; either changed quietly would hand the token to someone
// else as surely as a changed address. The route is kept beside the config, sealed with an HMAC
// keyed by the token itself: a config file edited by anyone who does not know the token cannot
// make the saved token go somewhere new.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ConnectorConfig } from '../../shared/config/schema.js';
import { proxyWithoutCredentials } from '../../shared/ipc/proxy-url.js';

export interface TokenBinding {
  platformUrl: string;
  /** The proxy without user name or password, or null for "Use Windows settings" / none. */
  proxy: string | null;
  /**
   * The extra CA file as the config names it, or null. Not resolved: a set-up moved as a whole
   * (to another data folder) keeps its CA file beside it and stays the same route.
   */
  caFile: string | null;
}

export type BindingChange = 'address' | 'proxy' | 'caFile';

const fileSchema = z.strictObject({
  platformUrl: z.string().min(1),
  proxy: z.string().nullable(),
  caFile: z.string().nullable(),
  mac: z.string().regex(/^[0-9a-f]{64}$/),
});

function normalUrl(url: string): string {
  try {
    return new URL(url.trim()).href;
  } catch {
    return url.trim();
  }
}

/** Where the config would send the token: what is bound to it. */
export function bindingOf(config: Pick<ConnectorConfig, 'platformUrl' | 'proxy' | 'caFile'>): TokenBinding {
  return {
    platformUrl: normalUrl(config.platformUrl),
    proxy: config.proxy ? normalUrl(proxyWithoutCredentials(config.proxy)) : null,
    caFile: config.caFile?.trim() || null,
  };
}

function mac(token: string, b: TokenBinding): string {
  return createHmac('sha256', token)
    .update(JSON.stringify([b.platformUrl, b.proxy, b.caFile]))
    .digest('hex');
}

export function bindingFile(environmentDir: string): string {
  return path.join(environmentDir, 'token-binding.json');
}

export function writeBinding(file: string, token: string, binding: TokenBinding): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ ...binding, mac: mac(token, binding) }, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

/**
 * The route saved with this token: 'missing' when none was recorded (a set-up saved by an older
 * version), 'tampered' when the file was changed by someone who does not know the token.
 */
export function readBinding(file: string, token: string): TokenBinding | 'missing' | 'tampered' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'tampered';
  }
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(text));
  } catch {
    return 'tampered';
  }
  const { mac: saved, ...binding } = parsed;
  const expected = Buffer.from(mac(token, binding), 'hex');
  return timingSafeEqual(expected, Buffer.from(saved, 'hex')) ? binding : 'tampered';
}

export function bindingChanges(saved: TokenBinding, proposed: TokenBinding): BindingChange[] {
  const changes: BindingChange[] = [];
  if (saved.platformUrl !== proposed.platformUrl) changes.push('address');
  if (saved.proxy !== proposed.proxy) changes.push('proxy');
  if (saved.caFile !== proposed.caFile) changes.push('caFile');
  return changes;
}

const CHANGE_WORDS: Record<BindingChange, string> = {
  address: 'platform address',
  proxy: 'proxy',
  caFile: 'certificate file',
};

/** In words: what changed, and the two ways on (paste again, or confirm). */
export function bindingChangeWords(changes: BindingChange[]): string {
  const names = changes.map((c) => `the ${CHANGE_WORDS[c]}`);
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0];
  const verb = names.length > 1 ? 'are' : 'is';
  return (
    `${list?.replace(/^t/, 'T')} ${verb} not the one${names.length > 1 ? 's' : ''} saved with the connection token, ` +
    'so the saved token was not sent. Paste the connection token again, or confirm that the saved token may be sent this way.'
  );
}

/** Said when the recorded route does not carry the token's seal (edited by hand, or by someone else). */
export const TAMPERED_WORDS =
  'The saved connection settings were changed outside Cloud Connector, so the saved token was not sent. Choose Set up… and paste the connection token again.';

/**
 * At start-up: may the saved token go where the saved config says? A set-up saved before routes
 * were recorded gets its route recorded now, once. Returns the words to show when it may not.
 */
export function startupRouteProblem(environmentDir: string, token: string, route: TokenBinding): string | null {
  const file = bindingFile(environmentDir);
  const saved = readBinding(file, token);
  if (saved === 'missing') {
    writeBinding(file, token, route);
    return null;
  }
  if (saved === 'tampered') return TAMPERED_WORDS;
  const changes = bindingChanges(saved, route);
  if (changes.length === 0) return null;
  return bindingChangeWords(changes).replace(
    'Paste the connection token again, or confirm',
    'Choose Set up… and paste the connection token again, or confirm',
  );
}
