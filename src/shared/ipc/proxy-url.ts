// A proxy address may carry a password (http://user:password@proxy:8080). It is kept in the config
// file, but never sent back to the window or shown: the window gets a placeholder in its place,
// and a placeholder that comes back on save means "keep the saved password".

/** Stands for the saved proxy password; only valid characters in a URL's user info. */
export const PROXY_PASSWORD_PLACEHOLDER = '********';

interface ProxyParts {
  scheme: string;
  user: string;
  /** null when the address has no password (no ':' in the user info). */
  password: string | null;
  /** host[:port] and anything after it. */
  rest: string;
}

/** Splits at the LAST '@' of the authority, so a password containing '@' stays whole. */
export function proxyParts(url: string): ProxyParts | null {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@(.*)$/i.exec(url.trim());
  if (!m) return null;
  const userInfo = m[2] as string;
  const colon = userInfo.indexOf(':');
  return {
    scheme: m[1] as string,
    user: colon < 0 ? userInfo : userInfo.slice(0, colon),
    password: colon < 0 ? null : userInfo.slice(colon + 1),
    rest: m[3] as string,
  };
}

/** The address with its password (if any) replaced by the placeholder. */
export function maskProxyPassword(url: string): string {
  const p = proxyParts(url);
  if (!p || p.password === null || p.password === '') return url;
  return `${p.scheme}${p.user}:${PROXY_PASSWORD_PLACEHOLDER}@${p.rest}`;
}

/** The address without user name or password: what may be compared or fingerprinted. */
export function proxyWithoutCredentials(url: string): string {
  const p = proxyParts(url);
  return p ? `${p.scheme}${p.rest}` : url.trim();
}

/**
 * Puts the saved password back where the placeholder came back. Only for the same user at the
 * same proxy: a changed address must not receive the saved password. Returns null when the
 * placeholder came back but there is no saved password it may stand for.
 */
export function restoreProxyPassword(typed: string, saved: string | undefined): string | null {
  const p = proxyParts(typed);
  if (!p || p.password !== PROXY_PASSWORD_PLACEHOLDER) return typed.trim();
  const s = saved ? proxyParts(saved) : null;
  if (!s || s.password === null || s.user !== p.user || s.scheme.toLowerCase() !== p.scheme.toLowerCase()) return null;
  if (s.rest.toLowerCase() !== p.rest.toLowerCase()) return null;
  return `${p.scheme}${p.user}:${s.password}@${p.rest}`;
}
