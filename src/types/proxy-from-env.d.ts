// proxy-from-env 2 ships no types.
declare module 'proxy-from-env' {
  /** The proxy URL for `url` from *_PROXY / NO_PROXY, or '' for a direct connection. */
  export function getProxyForUrl(url: string): string;
}
