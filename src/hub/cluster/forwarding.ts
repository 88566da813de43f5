// One hop between instances: the instance that received a call hands it to the instance holding
// the connector's socket (POST /cluster/v1/call over keep-alive HTTP), authenticated by the cluster
// secret. The holder runs the call exactly as it would its own — deadline and $/cancelRequest
// included — and answers with the outcome. Only the secret opens this path; API keys do not, and
// the secret opens nothing else.
import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { ALL_METHODS, type RpcErrorObject } from '../../shared/protocol/index.js';
import type { CallOutcome, ConnectorSession } from '../connector-session.js';

export const FORWARD_PATH = '/cluster/v1/call';
const AUTH_SCHEME = 'Cluster';

const forwardRequestSchema = z.strictObject({
  sessionId: z.string().min(1).max(100),
  method: z.enum(ALL_METHODS as unknown as [string, ...string[]]),
  params: z.unknown(),
  waitMs: z.number().int().min(1).max(3_600_000),
  /** The idempotency record the holder completes when the answer is final (the receiver may be gone by then). */
  idempotencyRecord: z.string().max(200).optional(),
});
export type ForwardRequest = z.infer<typeof forwardRequestSchema>;

const outcomeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('result'), result: z.unknown() }),
  z.object({
    kind: z.literal('error'),
    error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }),
  }),
  z.object({ kind: z.literal('dropped') }),
  z.object({ kind: z.literal('timeout') }),
]);

export class ClusterSecret {
  private readonly digest: Buffer;
  constructor(private readonly secret: string) {
    this.digest = sha256(secret);
  }
  header(): string {
    return `${AUTH_SCHEME} ${this.secret}`;
  }
  check(header: string | undefined): boolean {
    if (!header?.startsWith(`${AUTH_SCHEME} `)) return false;
    return timingSafeEqual(sha256(header.slice(AUTH_SCHEME.length + 1)), this.digest);
  }
}

/** The holder's side: runs a forwarded call on one of its own sessions. */
export async function serveForwardedCall(
  req: IncomingMessage,
  res: ServerResponse,
  options: {
    secret: ClusterSecret;
    maxBodyBytes: number;
    session: (sessionId: string) => ConnectorSession | undefined;
    /** Called with the outcome before it is sent, so that the idempotency record outlives the receiver. */
    onOutcome: (request: ForwardRequest, outcome: CallOutcome) => Promise<void>;
  },
): Promise<void> {
  if (!options.secret.check(req.headers.authorization)) {
    req.resume();
    sendJson(res, 401, { error: 'cluster secret missing or wrong' });
    return;
  }
  if (req.method !== 'POST') {
    req.resume();
    sendJson(res, 405, { error: 'POST only' });
    return;
  }
  let request: ForwardRequest;
  try {
    const parsed = forwardRequestSchema.safeParse(JSON.parse(await readBody(req, options.maxBodyBytes)));
    if (!parsed.success) throw new Error('invalid');
    request = parsed.data;
  } catch {
    sendJson(res, 400, { error: 'invalid forwarded call' });
    return;
  }
  const session = options.session(request.sessionId);
  if (!session?.isOpen || session.draining) {
    // The socket moved or closed since the caller's snapshot: the call reached no connector.
    sendJson(res, 200, { outcome: { kind: 'dropped' }, reached: false });
    return;
  }
  const outcome = await session.call(request.method, request.params, request.waitMs);
  await options.onOutcome(request, outcome).catch(() => undefined);
  if (!res.destroyed) sendJson(res, 200, { outcome, reached: true });
}

/** What became of a forwarded call. */
export interface Forwarded {
  outcome: CallOutcome;
  /** False when the call certainly reached no connector (holder refused the connection, or no longer has the session). */
  reached: boolean;
  /** The holder instance could not be reached or answered nonsense. */
  unreachable: boolean;
}

/** Errors that mean the request never left this instance. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * The receiver's side: forwards one call over a keep-alive connection to the holder. A failure
 * after the request may have been delivered is "dropped" (PROTOCOL §8: retried once elsewhere).
 */
export class Forwarder {
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 10_000 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 10_000, minVersion: 'TLSv1.2' }),
  };

  constructor(private readonly secret: ClusterSecret) {}

  forward(advertise: string, request: ForwardRequest): Promise<Forwarded> {
    const url = new URL(FORWARD_PATH, advertise);
    const secure = url.protocol === 'https:';
    const payload = JSON.stringify(request);
    return new Promise((resolve) => {
      let settled = false;
      const done = (outcome: CallOutcome, unreachable: boolean, reached = true) => {
        if (settled) return;
        settled = true;
        resolve({ outcome, unreachable, reached });
      };
      const req = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent: secure ? this.agents.https : this.agents.http,
          headers: {
            authorization: this.secret.header(),
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
          // The holder answers "timeout" itself at waitMs; this only guards against a holder that hangs.
          timeout: request.waitMs + 5_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', () => done({ kind: 'dropped' }, true));
          res.on('end', () => {
            // The holder died while answering, or answered something else: the call goes elsewhere.
            const answer = res.statusCode === 200 ? parseAnswer(Buffer.concat(chunks).toString('utf8')) : null;
            if (answer) done(answer.outcome, false, answer.reached);
            else done({ kind: 'dropped' }, true);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error: NodeJS.ErrnoException) =>
        done({ kind: 'dropped' }, true, !NOT_SENT.has(error.code ?? '')),
      );
      req.end(payload);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

function parseAnswer(text: string): { outcome: CallOutcome; reached: boolean } | null {
  try {
    const body = JSON.parse(text) as { outcome?: unknown; reached?: unknown };
    const parsed = outcomeSchema.safeParse(body?.outcome);
    if (!parsed.success) return null;
    const outcome = parsed.data;
    return {
      outcome:
        outcome.kind === 'error' ? { kind: 'error', error: outcome.error as RpcErrorObject } : (outcome as CallOutcome),
      reached: body.reached !== false,
    };
  } catch {
    return null;
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new Error('too_large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
