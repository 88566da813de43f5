// "Use Windows settings" for the connector's WebSocket: the proxy for each connection is asked of
// the operating system (in the app: Electron's session.resolveProxy, which applies Internet
// Options, PAC files and WPAD exactly as the browser does), at connect time, so every reconnect
// follows a changed network, PAC answer or sleep/resume. Node's own networking sees none of that.
//
// A 407 that asks for Windows sign-in (Negotiate, NTLM) cannot be answered from Node (NTLM not at
// all; Negotiate only with the native `kerberos` package, not shipped), so it is reported in words
// with the fix; a 407 that asks for a password is reported as such.
import type http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { Agent, type AgentConnectOpts } from 'agent-base';
import { proxyAgent } from './proxy-agent.js';

/** Chromium's answer for a URL: "DIRECT", "PROXY host:port", "HTTPS host:port; DIRECT", … */
export type ProxyLookup = (url: string) => Promise<string>;

/** An error whose message is written for people: shown and logged as it is. */
export class ProxyRefusedError extends Error {
  override readonly name = 'ProxyRefusedError';
  readonly plainWords = true;
}

/**
 * The first entry of a PAC-style list this connector can use, as a proxy URL; null for DIRECT.
 * SOCKS entries are skipped (not supported here); a list of SOCKS only falls back to DIRECT.
 */
export function proxyUrlFromList(answer: string): string | null {
  for (const entry of answer.split(';')) {
    const [kind = '', hostPort = ''] = entry.trim().split(/\s+/);
    const upper = kind.toUpperCase();
    if (upper === 'DIRECT') return null;
    if ((upper === 'PROXY' || upper === 'HTTP') && hostPort) return `http://${hostPort}`;
    if (upper === 'HTTPS' && hostPort) return `https://${hostPort}`;
  }
  return null;
}

/** The 407's demand in words, with the fix. */
export function proxyRefusal(platformHost: string, proxyAuthenticate: string | string[] | undefined): string {
  const schemes = [proxyAuthenticate ?? []].flat().map((h) => h.trim().split(/\s+/)[0]?.toLowerCase() ?? '');
  if (schemes.some((s) => s === 'negotiate' || s === 'ntlm' || s === 'kerberos')) {
    return `your proxy needs Windows sign-in: ask IT to let ${platformHost} through without it, or enter a proxy account`;
  }
  return 'your proxy needs a user name and password: enter a proxy account under Network settings';
}

export class SystemProxyAgent extends Agent {
  constructor(
    private readonly lookup: ProxyLookup,
    /** The configured CA file, also trusted for an `HTTPS host:port` proxy's own certificate. */
    private readonly caFile?: string,
  ) {
    super();
  }

  override async connect(req: http.ClientRequest, opts: AgentConnectOpts): Promise<Duplex> {
    const hostName = opts.host ?? 'localhost';
    const host = net.isIPv6(hostName) ? `[${hostName}]` : hostName;
    const target = `${opts.secureEndpoint ? 'https' : 'http'}://${host}:${opts.port}/`;
    const proxy = proxyUrlFromList(await this.lookup(target));
    if (!proxy) {
      return opts.secureEndpoint
        ? tls.connect({ ...opts, servername: net.isIP(hostName) ? undefined : hostName } as tls.ConnectionOptions)
        : net.connect(opts as net.NetConnectOpts);
    }
    const viaProxy = proxyAgent(proxy, this.caFile);
    let refusal: string | null = null;
    viaProxy.once('proxyConnect', (response: { statusCode: number; headers: http.IncomingHttpHeaders }) => {
      if (response.statusCode === 407) refusal = proxyRefusal(hostName, response.headers['proxy-authenticate']);
    });
    const socket = await viaProxy.connect(req, opts);
    if (refusal) {
      socket.destroy();
      throw new ProxyRefusedError(refusal);
    }
    return socket;
  }
}
