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
/**
 * `password=hunter2`, `secret: x`, `{"password":"…"}`, `'apiKey': '…'`, `client_secret=…`: a key
 * that names a secret (with any prefix: db_password, clientSecret, x-auth-token) followed by `=` or
 * `:` and its value, quoted (escapes included) or bare. The key stays, the value goes.
 */
const KEY_VALUE =
  /((?<![A-Za-z0-9])["']?[A-Za-z0-9_.-]*?(?:password|passwd|pwd|secret|token|api[-_]?key|authorization|credentials?|private[-_]?key)["']?\s*[:=]\s*)(\[redacted\]|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;&"'}\]]+)/gi;
/**
 * Ten digits grouped 3-3-4 or not at all, in any script's digits (full-width ０-９ included), with
 * any one separator between the groups: space, no-break or thin spaces, hyphens or dashes, dots.
 */
const DIGIT = '\\p{Nd}';
const GROUP_SEPARATOR = '[\\s\\u00a0\\u2007\\u202f.\\u2010-\\u2015-]?';
const TEN_DIGITS = new RegExp(
  `(?<!${DIGIT})${DIGIT}{3}${GROUP_SEPARATOR}${DIGIT}{3}${GROUP_SEPARATOR}${DIGIT}{4}(?!${DIGIT})`,
  'gu',
);

/** Zeros of the decimal digit runs NFKC leaves alone (Arabic-Indic, Persian, Devanagari, Bengali). */
const DIGIT_ZEROS = [0x660, 0x6f0, 0x966, 0x9e6];

/** The ASCII digits of a run written in any digits, separators dropped. */
function asciiDigits(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFKC')) {
    if (ch >= '0' && ch <= '9') {
      out += ch;
      continue;
    }
    const cp = ch.codePointAt(0) as number;
    const zero = DIGIT_ZEROS.find((z) => cp >= z && cp <= z + 9);
    if (zero !== undefined) out += String(cp - zero);
  }
  return out;
}
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
      .replace(KEY_VALUE, (_m, key: string, value: string) => {
        const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
        return `${key}${quote}${REDACTED}${quote}`;
      })
      .replace(TEN_DIGITS, (m) => (isValidNhsNumber(asciiDigits(m)) ? REDACTED : m));
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
