// Masks secrets in anything written to a process log: connection tokens by their shape, any
// value configured as secret, credentials in URLs, Authorization headers, and NHS numbers as a
// last line of defence (nothing should log one, but a mistake must not reach a support ticket).
import { isValidNhsNumber } from '../../shared/protocol/index.js';
import type { LogFields } from '../core/logger.js';

export const REDACTED = '[redacted]';

const TOKEN = /cc_(demo|production)_[A-Za-z0-9_-]+/g;
/**
 * Everything between `scheme://` and the LAST `@` of the authority: `user:pass@`, a user name
 * alone (proxies take API keys that way) and passwords that themselves contain `@`.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;
/** Query parameters that carry credentials: api_key, access_token, token, secret, sig, password, code, … */
const QUERY_CREDENTIALS =
  /([?&;](?:[A-Za-z0-9._-]*[-_.])?(?:api[-_]?key|apikey|key|token|secret|sig|signature|password|passwd|pwd|code|auth|credentials?)=)[^&#\s"'<>]*/gi;
/** Header-style credentials, whatever the scheme (Token, Digest, Negotiate, …): the value is masked whole. */
const AUTH_HEADER =
  /\b((?:proxy-)?authorization|x-api-key|api-key|x-auth-token|x-access-token|ocp-apim-subscription-key|set-cookie|cookie)(["']?\s*:\s*)("[^"]*"|'[^']*'|[^\r\n]*)/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const TEN_DIGITS = /(?<![0-9])[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}(?![0-9])/g;
/** Field names whose values are always secret, whatever they hold. */
export const SECRET_KEY = /token|secret|password|passwd|pwd|authorization|api[-_]?key|cookie|credential/i;

/** Shorter configured secrets would mask ordinary words; they are refused by config validation. */
export const MIN_SECRET_LENGTH = 4;

export interface Redactor {
  text(value: string): string;
  fields(fields: LogFields | undefined): LogFields | undefined;
  addSecret(secret: string): void;
}

export function createRedactor(secrets: readonly string[] = []): Redactor {
  const known = new Set<string>();
  let sorted: string[] = [];
  const addSecret = (secret: string) => {
    if (secret.length < MIN_SECRET_LENGTH || known.has(secret)) return;
    known.add(secret);
    // Longest first, so that a secret containing another is masked whole.
    sorted = [...known].sort((a, b) => b.length - a.length);
  };
  for (const s of secrets) addSecret(s);

  const text = (value: string): string => {
    let out = value;
    for (const secret of sorted) out = out.split(secret).join(REDACTED);
    return out
      .replace(TOKEN, (_m, env: string) => `cc_${env}_${REDACTED}`)
      .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
      .replace(QUERY_CREDENTIALS, `$1${REDACTED}`)
      .replace(AUTH_HEADER, (_m, name: string, sep: string, value: string) => {
        // A quoted value (JSON) keeps its quotes, so the rest of the line still reads as JSON.
        const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
        return `${name}${sep}${quote}${REDACTED}${quote}`;
      })
      .replace(BEARER, `$1 ${REDACTED}`)
      .replace(TEN_DIGITS, (m) => (isValidNhsNumber(m.replace(/[ -]/g, '')) ? REDACTED : m));
  };

  const fields = (input: LogFields | undefined): LogFields | undefined => {
    if (!input) return input;
    const out: LogFields = {};
    for (const [key, value] of Object.entries(input)) {
      if (value === undefined || value === null) out[key] = value;
      else if (SECRET_KEY.test(key)) out[key] = REDACTED;
      else if (typeof value === 'string') out[key] = text(value);
      else out[key] = value;
    }
    return out;
  };

  return { text, fields, addSecret };
}
