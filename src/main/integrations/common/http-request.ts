// One HTTP(S) request with what a data-source call needs: abort that really closes the socket,
// a connect timeout (an unreachable server is source_unavailable, not a hang until the deadline),
// a response size cap, keep-alive pooling, and the system trust store plus an optional CA file.
import http from 'node:http';
import https from 'node:https';
import { trustedCertificates } from '../../core/transport.js';
import { abortError } from './source-error.js';

export interface HttpTransportOptions {
  /** Absolute path of an extra CA certificate (PEM). */
  caFile?: string;
  connectTimeoutMs?: number;
  maxResponseBytes?: number;
}

export interface HttpRequest {
  url: URL;
  method: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

function codedError(code: string): Error {
  return Object.assign(new Error(code), { code });
}

export class HttpTransport {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  private readonly httpsAgent: https.Agent;
  private readonly connectTimeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(options: HttpTransportOptions = {}) {
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: 32,
      // Both explicit: left unset, NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment would switch
      // verification off for every source, store and token request.
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      ca: trustedCertificates(options.caFile),
    });
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    const { signal } = req;
    if (signal.aborted) return Promise.reject(abortError(signal));
    const secure = req.url.protocol === 'https:';
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    return new Promise<HttpResponse>((resolve, reject) => {
      let connectTimer: NodeJS.Timeout | undefined;
      const outgoing = (secure ? https : http).request(req.url, {
        method: req.method,
        headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
      });
      const fail = (error: Error) => {
        clearTimeout(connectTimer);
        signal.removeEventListener('abort', onAbort);
        // Destroying the request closes its socket: the server sees the work abandoned.
        outgoing.destroy();
        reject(error);
      };
      const onAbort = () => fail(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      outgoing.on('error', (error) => fail(error));
      outgoing.on('socket', (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => fail(codedError('ECONNECTTIMEOUT')), this.connectTimeoutMs);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      outgoing.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) {
            res.destroy();
            fail(codedError('ERESPONSETOOLARGE'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (error) => fail(error));
        res.on('aborted', () => fail(codedError('ECONNRESET')));
        res.on('end', () => {
          clearTimeout(connectTimer);
          signal.removeEventListener('abort', onAbort);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
      });
      outgoing.end(req.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
