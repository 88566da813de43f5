// The service's control channel: the IPC contract over loopback HTTP (one POST per call) and a
// WebSocket (status pushes), for the tray app attached to the service. Only this computer can
// reach it (127.0.0.1), only programs that can read a key file can use it, and no web page can:
// the Host header must name this server (no DNS rebinding) and any request carrying an Origin
// (every browser sends one on POST and WebSocket) is refused. The viewer key reads; the admin
// key also changes the set-up, pauses and reconnects.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import {
  GUARDED_SERVER_OPTIONS,
  guardRequests,
  guardUpgrades,
  RequestRefused,
  readBody,
} from '../../common/net/listener-guard.js';
import type { RequestTarget } from '../../common/net/request-target.js';
import type { ChannelName, IpcHandlers, IpcReply } from '../../shared/ipc/channels.js';
import { STATUS_EVENT } from '../../shared/ipc/channels.js';
import { dispatchIpc } from '../../shared/ipc/dispatch.js';
import { type BridgedController, send } from '../controller/bridge-server.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { type ControlKeys, type Role, roleForKey } from './control-keys.js';

const MAX_BODY = 256 * 1024;

/**
 * The key each channel needs: a viewer reads, an admin also changes. A Record over every channel,
 * so a channel added to the contract does not compile until someone decides which it is.
 */
export const CHANNEL_ROLE: Record<ChannelName, Role> = {
  'status.get': 'viewer',
  'status.day': 'viewer',
  'calls.recent': 'viewer',
  'diagnostics.copy': 'viewer',
  'app.openLogs': 'viewer',
  'setup.get': 'admin',
  'setup.save': 'admin',
  'setup.testPlatform': 'admin',
  'setup.testLookup': 'admin',
  'setup.testStore': 'admin',
  'setup.sqlColumns': 'admin',
  // The attached app shows its own file dialog (AttachedController); the service has none.
  'app.pickPath': 'admin',
  'connector.reconnect': 'admin',
  'connector.setPaused': 'admin',
};

export const NEEDS_ADMIN_MESSAGE =
  'Changing Cloud Connector needs administrator rights: choose Set up… and allow it to make changes to this computer.';

export interface ControlServerOptions {
  controller: BridgedController;
  keys: ControlKeys;
  port?: number;
  /** Refusals are logged once per kind (never their content) by the listener guard. */
  logger?: Logger;
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
  const server = http.createServer(GUARDED_SERVER_OPTIONS);
  // The guard refuses a foreign Host (421, DNS rebinding), a malformed target or body (4xx), and
  // keeps a handler's failure from ending the service.
  const guard = { logger: options.logger ?? silentLogger, allowedHosts: () => [hostHeader] };
  guardRequests(server, { ...guard, listener: 'service control' }, handle);
  // Clients never send anything on the events socket: a tiny limit is enough.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });

  /** A browser page (it always sends Origin) is refused even with a key; then the key decides. */
  function admit(req: IncomingMessage): Role {
    if (req.headers.origin !== undefined) throw new RequestRefused(403, 'forbidden');
    const role = roleForKey(options.keys, bearer(req));
    if (!role) throw new RequestRefused(401, 'unauthorized');
    return role;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> {
    const role = admit(req);
    const [version, kind, channel, ...rest] = target.segments;
    if (req.method === 'GET' && target.path === '/v1/hello') {
      return send(res, 200, 'application/json', JSON.stringify({ service: 'cloud-connector', role }));
    }
    if (req.method !== 'POST' || version !== 'v1' || kind !== 'ipc' || channel === undefined || rest.length) {
      throw new RequestRefused(404, 'not_found');
    }
    if (req.headers['content-type'] !== 'application/json') throw new RequestRefused(415, 'unsupported_type');
    const body = (await readBody(req, MAX_BODY)).toString('utf8');
    let input: unknown;
    try {
      input = body.length ? JSON.parse(body) : undefined;
    } catch {
      input = Symbol('unparseable');
    }
    const reply: IpcReply<unknown> =
      role === 'admin' || !Object.hasOwn(CHANNEL_ROLE, channel) || CHANNEL_ROLE[channel as ChannelName] === 'viewer'
        ? await dispatchIpc(handlers as IpcHandlers, channel, input)
        : { ok: false, error: { code: 'failed', message: NEEDS_ADMIN_MESSAGE } };
    return send(res, 200, 'application/json', JSON.stringify(reply));
  }

  guardUpgrades(server, { ...guard, listener: 'service control events' }, (req, socket, head, target) => {
    if (target.path !== '/v1/events') throw new RequestRefused(404, 'not_found');
    admit(req);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => ws.terminate());
      ws.send(JSON.stringify({ event: STATUS_EVENT, status: options.controller.status() }));
    });
  });

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
