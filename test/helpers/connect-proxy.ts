// A minimal HTTP CONNECT proxy on loopback that records each tunnel. Every target host is sent to
// 127.0.0.1, so a test can use a name (platform.test) that only the proxy can "resolve".
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

export interface ConnectProxy {
  url: string;
  tunnels: string[];
}

export interface ConnectProxyOptions {
  /** Refuse every tunnel with 407 and these Proxy-Authenticate challenges (e.g. ['Negotiate', 'NTLM']). */
  demand?: string[];
  /** Let tunnels through only with this account (Basic); others get 407 Basic. */
  account?: { user: string; password: string };
}

export async function startConnectProxy(
  t: Pick<TestContext, 'after'>,
  options: ConnectProxyOptions = {},
): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(405).end();
  });
  server.on('connect', (req, clientStream, head) => {
    const client = clientStream as net.Socket;
    tunnels.push(req.url ?? '');
    const expected = options.account
      ? `Basic ${Buffer.from(`${options.account.user}:${options.account.password}`).toString('base64')}`
      : null;
    const demand =
      options.demand ?? (expected && req.headers['proxy-authorization'] !== expected ? ['Basic realm="clinic"'] : null);
    if (demand) {
      const challenges = demand.map((c) => `Proxy-Authenticate: ${c}\r\n`).join('');
      client.on('error', () => {});
      client.end(`HTTP/1.1 407 Proxy Authentication Required\r\n${challenges}Content-Length: 0\r\n\r\n`);
      return;
    }
    const port = Number((req.url ?? '').split(':').pop());
    const upstream = net.connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels };
}
