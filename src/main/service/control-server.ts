// The service's control channel: the IPC contract over loopback HTTP (one POST per call) and a
// WebSocket (status pushes), for the tray app attached to the service. Only this computer can
// reach it (127.0.0.1), only programs that can read a key file can use it, and no web page can:
// the Host header must name this server (no DNS rebinding) and any request carrying an Origin
// (every browser sends one on POST and WebSocket) is refused. The viewer key reads; the admin
// key also changes the set-up, pauses and reconnects.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { ChannelName, IpcHandlers, IpcReply } from '../../shared/ipc/channels.js';
import { STATUS_EVENT } from '../../shared/ipc/channels.js';
import { dispatchIpc } from '../../shared/ipc/dispatch.js';
import { type BridgedController, readBody, send } from '../controller/bridge-server.js';
import { type ControlKeys, type Role, roleForKey } from './control-keys.js';

/** What a viewer may call: reading only. Everything else needs the admin key. */
export const VIEWER_CHANNELS: ReadonlySet<ChannelName> = new Set<ChannelName>([
  'status.get',
  'calls.recent',
  'diagnostics.copy',
  'app.openLogs',
]);

export const NEEDS_ADMIN_MESSAGE =
  'Changing Cloud Connector needs administrator rights: choose Set up… and allow it to make changes to this computer.';

export interface ControlServerOptions {
  controller: BridgedController;
  keys: ControlKeys;
  port?: number;
}

export interface ControlServer {
  port: number;
  /** Closes every attached client (they then show "reconnecting") and stops listening. */
  close(): Promise<void>;
}

function bearer(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return null;
  return header.slice(7).trim();
}

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  let hostHeader = '';
  const handlers = options.controller.handlers;
  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain', 'error');
      else res.destroy();
    });
  });
  // Clients never send anything on the events socket: a tiny limit is enough.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });

  /** The checks every request passes first; answers and returns null when refused. */
  function admit(req: IncomingMessage, res: ServerResponse | null): Role | null {
    const refuse = (status: number, words: string) => {
      if (res) send(res, status, 'text/plain', words);
      return null;
    };
    if (req.headers.host !== hostHeader) return refuse(421, 'wrong host');
    if (req.headers.origin !== undefined) return refuse(403, 'forbidden');
    const role = roleForKey(options.keys, bearer(req));
    if (!role) return refuse(401, 'unauthorized');
    return role;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const role = admit(req, res);
    if (!role) return;
    const url = new URL(req.url ?? '/', 'http://control.invalid');
    if (req.method === 'GET' && url.pathname === '/v1/hello') {
      return send(res, 200, 'application/json', JSON.stringify({ service: 'cloud-connector', role }));
    }
    if (req.method !== 'POST' || !url.pathname.startsWith('/v1/ipc/')) return send(res, 404, 'text/plain', 'not found');
    if (req.headers['content-type'] !== 'application/json') return send(res, 415, 'text/plain', 'unsupported');
    const body = await readBody(req);
    if (body === null) return send(res, 413, 'text/plain', 'too large');
    let channel: string;
    try {
      channel = decodeURIComponent(url.pathname.slice(8));
    } catch {
      return send(res, 400, 'text/plain', 'bad request');
    }
    let input: unknown;
    try {
      input = body.length ? JSON.parse(body) : undefined;
    } catch {
      input = Symbol('unparseable');
    }
    const reply: IpcReply<unknown> =
      role === 'admin' || VIEWER_CHANNELS.has(channel as ChannelName) || !Object.hasOwn(handlers, channel)
        ? await dispatchIpc(handlers as IpcHandlers, channel, input)
        : { ok: false, error: { code: 'failed', message: NEEDS_ADMIN_MESSAGE } };
    return send(res, 200, 'application/json', JSON.stringify(reply));
  }

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (req.url !== '/v1/events' || !admit(req, null)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => ws.terminate());
      ws.send(JSON.stringify({ event: STATUS_EVENT, status: options.controller.status() }));
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  const broadcast = (status: unknown) => {
    const message = JSON.stringify({ event: STATUS_EVENT, status });
    for (const client of wss.clients) client.send(message);
  };
  options.controller.on('status', broadcast);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hostHeader = `127.0.0.1:${port}`;
  return {
    port,
    async close() {
      options.controller.off('status', broadcast);
      for (const client of wss.clients) client.close(1001, 'service stopping');
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
