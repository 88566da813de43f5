// The connection token's visible shape, checked in the wizard as soon as it is pasted (the renderer
// cannot load src/main/config/token.ts, which reads files). Same rule: cc_<environment>_<secret>.
import type { Environment } from '../protocol/methods.js';

export const TOKEN_FORMAT = /^cc_(demo|production)_[A-Za-z0-9_-]{20,}$/;

export type TokenCheck =
  | { ok: true; environment: Environment }
  | { ok: false; problem: 'empty' | 'malformed' | 'wrong_environment'; environment: Environment | null };

export function checkPastedToken(raw: string, expected: Environment): TokenCheck {
  const token = raw.trim();
  if (!token) return { ok: false, problem: 'empty', environment: null };
  const match = TOKEN_FORMAT.exec(token);
  if (!match) return { ok: false, problem: 'malformed', environment: null };
  const environment = match[1] as Environment;
  if (environment !== expected) return { ok: false, problem: 'wrong_environment', environment };
  return { ok: true, environment };
}

/** cc_demo_…1a2b: enough to recognise a token on the phone, useless to anyone else. */
export function maskToken(token: string): string {
  const match = /^(cc_(?:demo|production)_)/.exec(token);
  const prefix = match ? match[1] : '';
  return `${prefix}…${token.slice(-4)}`;
}
