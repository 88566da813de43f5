// Parses an HTTP request target (the raw `req.url`) without `new URL`, which throws on inputs such
// as `//x:99999` or `http://[` and has ended processes before. Only the origin form
// (`/path?query`) is accepted: our listeners are never proxies, so the absolute form, the
// authority form and `*` are refused, as is anything that does not percent-decode.

export interface RequestTarget {
  /** The path as sent (still percent-encoded), e.g. `/v1/acme/demo/rpc/patient.lookup`. */
  readonly path: string;
  /** The path's segments, each percent-decoded; `/a//b/` gives `['a', '', 'b', '']`. */
  readonly segments: readonly string[];
  /** The query string without its `?` (empty when there is none). */
  readonly query: string;
}

/** Longest request target accepted; longer ones are refused with 414. */
export const MAX_TARGET_LENGTH = 8 * 1024;

export type TargetProblem = 'missing' | 'too_long' | 'not_origin_form' | 'bad_character' | 'bad_encoding';

export type TargetResult = { ok: true; target: RequestTarget } | { ok: false; problem: TargetProblem };

// RFC 3986 pchar plus `/` (path) and `?` (query). Everything else, including space, control
// characters and bytes above 0x7e, is refused rather than guessed at.
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const QUERY_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;

export function parseRequestTarget(raw: string | undefined): TargetResult {
  if (raw === undefined || raw.length === 0) return { ok: false, problem: 'missing' };
  if (raw.length > MAX_TARGET_LENGTH) return { ok: false, problem: 'too_long' };
  if (raw[0] !== '/') return { ok: false, problem: 'not_origin_form' };
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const query = q === -1 ? '' : raw.slice(q + 1);
  if (!PATH_CHARS.test(path) || !QUERY_CHARS.test(query)) return { ok: false, problem: 'bad_character' };
  const segments: string[] = [];
  for (const encoded of path.slice(1).split('/')) {
    const decoded = percentDecode(encoded);
    if (decoded === null) return { ok: false, problem: 'bad_encoding' };
    segments.push(decoded);
  }
  return { ok: true, target: { path, segments, query } };
}

/** `decodeURIComponent` that answers null instead of throwing on `%ZZ`, `%E0%A4` and the like. */
export function percentDecode(text: string): string | null {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
