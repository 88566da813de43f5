// The preview bridge: serves the built renderer on loopback and offers the IPC contract over HTTP
// (one POST per call) and a WebSocket (status pushes), hosted by a real AppController. Used by
// `npm run preview` and by the UI tests. Loopback only; the Host and Origin headers must name this
// server (no DNS rebinding, no calls from other web pages), and /ipc and /events need the cookie
// the page was served with: a random value per run, so another program on this computer that
// does not load the page cannot drive the controller. Requests and upgrades run inside the
// listener guard: a malformed one is answered 4xx and never ends the process.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import {
  GUARDED_SERVER_OPTIONS,
  guardRequests,
  guardUpgrades,
  RequestRefused,
  readBody,
} from '../../common/net/listener-guard.js';
import type { RequestTarget } from '../../common/net/request-target.js';
import { type IpcHandlers, STATUS_EVENT } from '../../shared/ipc/channels.js';
import { dispatchIpc } from '../../shared/ipc/dispatch.js';
import type { AppStatus } from '../../shared/ipc/status.js';
import { type Logger, silentLogger } from '../core/logger.js';

/** What the bridge needs of a controller: an AppController, or a client attached to the service. */
export interface BridgedController {
  readonly handlers: IpcHandlers;
  status(): AppStatus;
  on(event: 'status', listener: (status: AppStatus) => void): unknown;
  off(event: 'status', listener: (status: AppStatus) => void): unknown;
}

export interface BridgeOptions {
  controller: BridgedController;
  /** The built renderer (index.html, renderer.js, styles.css). */
  rendererDir: string;
  /** The built bridge client that stands in for the preload script. */
  bridgeClientFile: string;
  port?: number;
  host?: '127.0.0.1' | '::1';
  logger?: Logger;
}

export interface Bridge {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const host = options.host ?? '127.0.0.1';
  let origin = '';
  let hostHeader = '';
  const server = http.createServer(GUARDED_SERVER_OPTIONS);
  const guard = { logger: options.logger ?? silentLogger, allowedHosts: () => [hostHeader] };
  guardRequests(server, { ...guard, listener: 'preview bridge' }, handle);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  const secret = randomBytes(32).toString('base64url');
  let cookieName = '';
  const hasCookie = (req: IncomingMessage) => {
    const value = cookieValue(req.headers.cookie, cookieName);
    return value !== null && value.length === secret.length && timingSafeEqual(Buffer.from(value), Buffer.from(secret));
  };

  async function handle(req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> {
    const pathname = target.path;
    if (req.method === 'POST' && target.segments[0] === 'ipc') {
      if (req.headers.origin !== origin || req.headers['content-type'] !== 'application/json' || !hasCookie(req)) {
        return send(res, 403, 'text/plain', 'forbidden');
      }
      if (target.segments.length !== 2) throw new RequestRefused(404, 'no_such_channel');
      const body = (await readBody(req, MAX_BODY)).toString('utf8');
      let input: unknown;
      try {
        input = body.length ? JSON.parse(body) : undefined;
      } catch {
        input = Symbol('unparseable');
      }
      const reply = await dispatchIpc(options.controller.handlers, target.segments[1] as string, input);
      return send(res, 200, 'application/json', JSON.stringify(reply));
    }
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed');
    if (pathname === '/' || pathname === '/index.html') {
      const html = await readFile(path.join(options.rendererDir, 'index.html'), 'utf8');
      // The bridge client stands in for the preload script, so it must load before the renderer.
      const page = html
        .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
        .replace(
          '<script src="renderer.js"',
          '<script src="bridge-client.js"></script>\n    <script src="renderer.js"',
        );
      return send(res, 200, TYPES['.html'] as string, page, csp(origin), {
        'set-cookie': `${cookieName}=${secret}; Path=/; HttpOnly; SameSite=Strict`,
      });
    }
    if (pathname === '/bridge-client.js') {
      return send(res, 200, TYPES['.js'] as string, await readFile(options.bridgeClientFile));
    }
    const name = path.basename(pathname);
    const type = TYPES[path.extname(name)];
    if (!type || name !== pathname.slice(1)) return send(res, 404, 'text/plain', 'not found');
    try {
      return send(res, 200, type, await readFile(path.join(options.rendererDir, name)));
    } catch {
      return send(res, 404, 'text/plain', 'not found');
    }
  }

  guardUpgrades(server, { ...guard, listener: 'preview bridge events' }, (req, socket, head, target) => {
    if (target.path !== '/events') throw new RequestRefused(404, 'no_such_path');
    if (req.headers.origin !== origin || !hasCookie(req)) throw new RequestRefused(403, 'forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      // A malformed frame is an 'error' on the socket (ws then closes it); unheard, it would end the process.
      ws.on('error', () => {});
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
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hostHeader = host === '::1' ? `[::1]:${port}` : `${host}:${port}`;
  origin = `http://${hostHeader}`;
  // Cookies are shared by every port of a host: one name per bridge keeps two previews apart.
  cookieName = `cc_bridge_${port}`;
  return {
    url: `${origin}/`,
    async close() {
      options.controller.off('status', broadcast);
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function csp(origin: string): string {
  const ws = origin.replace(/^http/, 'ws');
  return `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${ws}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

/** Also used by the service's control channel (src/main/service/control-server.ts). */
export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  policy?: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(policy ? { 'content-security-policy': policy } : {}),
    ...extra,
  });
  res.end(body);
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header || !name) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
