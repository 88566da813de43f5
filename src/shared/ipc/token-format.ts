// The connection token's visible shape, checked in the wizard as soon as it is pasted (the renderer
// cannot load src/main/config/token.ts, which reads files). Same rule: cc_<environment>_<secret>,
// optionally followed by `@` and the platform's address (PROTOCOL §9):
//   cc_production_<secret>@platform.example.com[:port][/path]   (wss:// and /connector/v1 implied)
// Only the part before `@` is the token; the address is not secret and is shown before anything
// is sent. A scheme may be written out; plain ws:// only to this computer (development, preview).
import { z } from 'zod';
import type { Environment } from '../protocol/methods.js';

export const TOKEN_FORMAT = /^cc_(demo|production)_[A-Za-z0-9_-]{20,}$/;

/** The path a platform address means when the pasted address names none. */
export const DEFAULT_CONNECTOR_PATH = '/connector/v1';

export type TokenProblem = 'empty' | 'malformed' | 'wrong_environment' | 'bad_address';

export type TokenCheck =
  | { ok: true; environment: Environment }
  | { ok: false; problem: TokenProblem; environment: Environment | null };

/** Where a token pasted with its address may be sent: the full URL and the host to show in words. */
export interface TokenAddress {
  platformUrl: string;
  /** host[:port] as the person should read it: "platform.example.com", "platform.example.com:8443". */
  host: string;
}

export type ParsedToken =
  | { ok: true; token: string; environment: Environment; address: TokenAddress | null }
  | { ok: false; problem: TokenProblem; environment: Environment | null };

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** host: a DNS name (at least one dot or exactly `localhost`), an IPv4 address, or [IPv6]. */
const hostSchema = z
  .string()
  .min(1)
  .max(253)
  .refine((host) => {
    if (/^\[[0-9a-f:.]+\]$/i.test(host)) return true;
    const labels = host.toLowerCase().split('.');
    return (labels.length > 1 || host === 'localhost') && labels.every((l) => DNS_LABEL.test(l));
  }, 'must be a host name');

const ADDRESS = /^(?:(wss?):\/\/)?([^/:[\]]+|\[[^\]]+\])(?::(\d{1,5}))?(\/[^\s?#]*)?$/i;

/** True for 127.0.0.0/8, ::1 and exactly `localhost`: the only hosts plain ws:// may reach. */
function isLoopbackLiteral(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Reads the address part of a pasted token; null when it is not a usable platform address. */
export function parseTokenAddress(text: string): TokenAddress | null {
  const m = ADDRESS.exec(text.trim());
  if (!m) return null;
  const scheme = (m[1] ?? 'wss').toLowerCase();
  const host = (m[2] as string).toLowerCase();
  const port = m[3];
  if (!hostSchema.safeParse(host).success) return null;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) return null;
  if (scheme === 'ws' && !isLoopbackLiteral(host)) return null;
  const pathPart = m[4] && m[4] !== '/' ? m[4] : DEFAULT_CONNECTOR_PATH;
  let url: URL;
  try {
    url = new URL(`${scheme}://${host}${port ? `:${port}` : ''}${pathPart}`);
  } catch {
    return null;
  }
  return { platformUrl: url.href, host: url.host };
}

/** Splits a pasted string into the token and, when present, the platform address after `@`. */
export function parsePastedToken(raw: string): ParsedToken {
  const text = raw.trim();
  if (!text) return { ok: false, problem: 'empty', environment: null };
  const at = text.indexOf('@');
  const token = at < 0 ? text : text.slice(0, at);
  const match = TOKEN_FORMAT.exec(token);
  if (!match) return { ok: false, problem: 'malformed', environment: null };
  const environment = match[1] as Environment;
  if (at < 0) return { ok: true, token, environment, address: null };
  const address = parseTokenAddress(text.slice(at + 1));
  if (!address) return { ok: false, problem: 'bad_address', environment };
  return { ok: true, token, environment, address };
}

export function checkPastedToken(raw: string, expected: Environment): TokenCheck {
  const parsed = parsePastedToken(raw);
  if (!parsed.ok) return parsed;
  if (parsed.environment !== expected)
    return { ok: false, problem: 'wrong_environment', environment: parsed.environment };
  return { ok: true, environment: parsed.environment };
}

/**
 * Addresses that only stand for "an address goes here" (RFC 2606's `.example` and `.invalid`
 * top-level names, as in the old built-in `wss://platform.example/…`): never shown as where a
 * token goes, never connected to.
 */
export function isPlaceholderAddress(platformUrl: string): boolean {
  let host: string;
  try {
    host = new URL(platformUrl.trim()).hostname.toLowerCase();
  } catch {
    return false;
  }
  return /(^|\.)(example|invalid)$/.test(host);
}

/** The address as the person reads it: host and, when not the default, port. */
export function platformHost(platformUrl: string): string | null {
  try {
    const url = new URL(platformUrl.trim());
    return url.protocol === 'ws:' || url.protocol === 'wss:' ? url.host : null;
  } catch {
    return null;
  }
}

/**
 * The one string to give a person (PROTOCOL §9): `token@host[:port][/path]`, leaving out what is
 * implied (wss://, port 443, /connector/v1); plain ws:// (loopback only) is written out.
 */
export function tokenWithAddress(token: string, platformUrl: string): string {
  const url = new URL(platformUrl);
  const scheme = url.protocol === 'ws:' ? 'ws://' : '';
  const pathPart = url.pathname === DEFAULT_CONNECTOR_PATH ? '' : url.pathname.replace(/\/$/, '');
  return `${token}@${scheme}${url.host}${pathPart}`;
}

/** cc_demo_…1a2b: enough to recognise a token on the phone, useless to anyone else. */
export function maskToken(token: string): string {
  const bare = token.split('@')[0] as string;
  const match = /^(cc_(?:demo|production)_)/.exec(bare);
  const prefix = match ? match[1] : '';
  return `${prefix}…${bare.slice(-4)}`;
}
