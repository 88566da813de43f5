// One guard for every HTTP listener (hub API and WebSocket upgrade, connector health server,
// preview bridge, service control channel, any listener added later). Each request is handled
// inside it: a target that does not parse, a foreign Host, an oversized or malformed body, or a
// handler that throws gets a 4xx/5xx answer and one log line that names the listener and the
// reason only, never the target, headers or body. Nothing a client sends can end the process.
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { parseRequestTarget, type RequestTarget, type TargetProblem } from './request-target.js';

/** The minimal logger the guard writes to (the project's Logger fits). */
export interface GuardLogger {
  warn(message: string, fields?: Record<string, string | number | boolean | null | undefined>): void;
}

/** Thrown by a handler (or readBody) to refuse a request with a status and a fixed reason word. */
export class RequestRefused extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(reason);
    this.name = 'RequestRefused';
  }
}

export interface GuardOptions {
  /** Names the listener in log lines, e.g. `hub api`. */
  listener: string;
  logger: GuardLogger;
  /**
   * The Host header values this listener answers (`127.0.0.1:9100`, compared without case). A
   * request naming any other host is refused with 421: a web page whose name was re-pointed at
   * this address (DNS rebinding) cannot read it. Omit for a listener meant to be reached by name.
   */
  allowedHosts?: () => readonly string[];
  /** Writes a refusal; defaults to a short text/plain body. The hub answers in its JSON shape. */
  writeRefusal?: (res: ServerResponse, status: number, reason: string) => void;
}

/**
 * Options to spread into `http.createServer` / `https.createServer` for a guarded listener: slow
 * clients (headers dribbled one byte at a time) are cut after 10 s, a whole request after 120 s,
 * headers are capped at 16 KiB (431), and a request without Host is a 400.
 */
export const GUARDED_SERVER_OPTIONS = {
  headersTimeout: 10_000,
  requestTimeout: 120_000,
  keepAliveTimeout: 5_000,
  // How often Node checks the two timeouts above; its default (30 s) would let them slip.
  connectionsCheckingInterval: 1_000,
  maxHeaderSize: 16 * 1024,
  requireHostHeader: true,
} satisfies ServerOptions;

const TARGET_STATUS: Record<TargetProblem, number> = {
  missing: 400,
  too_long: 414,
  not_origin_form: 400,
  bad_character: 400,
  bad_encoding: 400,
};

export type GuardedHandler = (req: IncomingMessage, res: ServerResponse, target: RequestTarget) => unknown;
export type GuardedUpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, target: RequestTarget) => void;

/** Handles every request of `server` inside the guard; also answers malformed HTTP (clientError). */
export function guardRequests(server: Server, options: GuardOptions, handler: GuardedHandler): void {
  const log = refusalLog(options);
  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, reason: string, headers = {}) => {
    log(status, reason);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value as string);
    // A refused request's body is not read: close after answering, so it is not parsed as the next request.
    res.setHeader('connection', 'close');
    (options.writeRefusal ?? writeTextRefusal)(res, status, reason);
    lingerThenClose(req);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const checked = checkRequest(req, options);
    if (!checked.ok) {
      refuse(req, res, checked.status, checked.reason);
      return;
    }
    let outcome: unknown;
    try {
      outcome = handler(req, res, checked.target);
    } catch (error) {
      failed(error);
      return;
    }
    if (outcome instanceof Promise) outcome.catch(failed);

    function failed(error: unknown): void {
      if (error instanceof RequestRefused) refuse(req, res, error.status, error.reason, error.headers);
      else refuse(req, res, 500, `handler_failed_${error instanceof Error ? error.name : 'unknown'}`);
    }
  });
  // An accept that fails once listening (EMFILE under a flood of connections) is an 'error' on the
  // server; unheard, it would end the process. Failures to listen are still the caller's to see.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (server.listening) log(0, `server_error_${(error.code ?? 'unknown').toLowerCase()}`);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const status = clientErrorStatus(error.code);
    log(status, `malformed_http_${(error.code ?? 'unknown').toLowerCase()}`);
    if (socket.writable && status !== 0) {
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
    }
    socket.destroy();
  });
}

/** Handles every WebSocket upgrade of `server` inside the guard. */
export function guardUpgrades(server: Server, options: GuardOptions, handler: GuardedUpgradeHandler): void {
  const log = refusalLog(options);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node leaves an upgraded socket without an error listener: a reset before the handler has
    // taken it over would otherwise be an uncaught exception.
    socket.on('error', () => socket.destroy());
    const checked = checkRequest(req, options);
    if (!checked.ok) {
      log(checked.status, checked.reason);
      refuseUpgrade(socket, checked.status);
      return;
    }
    try {
      handler(req, socket, head, checked.target);
    } catch (error) {
      if (error instanceof RequestRefused) {
        log(error.status, error.reason);
        refuseUpgrade(socket, error.status, error.headers);
      } else {
        log(500, `handler_failed_${error instanceof Error ? error.name : 'unknown'}`);
        refuseUpgrade(socket, 500);
      }
    }
  });
}

/** Answers an upgrade request with a plain HTTP status (no WebSocket) and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, headers: Record<string, string> = {}): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`,
  );
  setTimeout(() => socket.destroy(), 2_000).unref();
}

/**
 * Reads a request body of at most `limit` bytes. A larger one is refused with 413 as soon as the
 * limit is passed (the Content-Length, when sent, is checked before anything is read).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new RequestRefused(413, 'body_too_large'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.off('data', onData);
        reject(new RequestRefused(413, 'body_too_large'));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => reject(new RequestRefused(400, 'body_aborted')));
    req.on('close', () => {
      if (!req.complete) reject(new RequestRefused(400, 'body_aborted'));
    });
  });
}

/** Whether the Host header names one of `allowed` (case-insensitive). */
export function hostAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && allowed.some((a) => a.toLowerCase() === host);
}

type Checked = { ok: true; target: RequestTarget } | { ok: false; status: number; reason: string };

function checkRequest(req: IncomingMessage, options: GuardOptions): Checked {
  if (options.allowedHosts && !hostAllowed(req, options.allowedHosts())) {
    return { ok: false, status: 421, reason: 'foreign_host' };
  }
  const parsed = parseRequestTarget(req.url);
  if (!parsed.ok) return { ok: false, status: TARGET_STATUS[parsed.problem], reason: `target_${parsed.problem}` };
  return { ok: true, target: parsed.target };
}

function writeTextRefusal(res: ServerResponse, status: number, reason: string): void {
  const body = `${status} ${reason}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/** After a refusal, let the client read the answer before the connection goes (then drop it). */
function lingerThenClose(req: IncomingMessage): void {
  if (req.complete) return;
  req.resume();
  setTimeout(() => req.socket.destroy(), 2_000).unref();
}

function clientErrorStatus(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT') return 408;
  if (code === 'ECONNRESET' || code === 'EPIPE') return 0; // nobody left to answer
  return 400;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  421: 'Misdirected Request',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * One warning per kind of refusal, then at most one a minute with the count in between: a flood
 * of bad requests cannot flood the log. Reasons are fixed words, so the map stays small.
 */
function refusalLog(options: GuardOptions): (status: number, reason: string) => void {
  const seen = new Map<string, { loggedAt: number; suppressed: number }>();
  return (status, reason) => {
    const key = `${status} ${reason}`;
    const now = Date.now();
    const entry = seen.get(key);
    if (entry && now - entry.loggedAt < 60_000) {
      entry.suppressed++;
      return;
    }
    options.logger.warn('request refused', {
      listener: options.listener,
      status,
      reason,
      ...(entry?.suppressed ? { alsoRefusedSinceLastLine: entry.suppressed } : {}),
    });
    seen.set(key, { loggedAt: now, suppressed: 0 });
  };
}
