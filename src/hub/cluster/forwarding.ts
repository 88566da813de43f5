// One hop between instances: the instance that received a call hands it to the instance holding
// the connector's socket (POST /cluster/v1/call over keep-alive HTTP), authenticated by the cluster
// secret. The holder runs the call exactly as it would its own — deadline and $/cancelRequest
// included — and answers with the outcome. Only the secret opens this path; API keys do not, and
// the secret opens nothing else. The secret itself never travels: the holder's address comes from
// Redis, so anyone able to write there could name an address of their own; each call carries an
// HMAC of its time and body instead, which opens nothing later (a minute) or for another body.
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { readBody } from '../../common/net/listener-guard.js';
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
  idempotencyRecord: z
    .string()
    .regex(/^cc:idem:[0-9a-f]{64}$/)
    .optional(),
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

/** How far a signature's time may be from the holder's clock (either way). */
const MAX_SKEW_MS = 30_000;
const SIGNATURE_FORMAT = /^Cluster t=(\d{1,16}), sig=([A-Za-z0-9_-]{43})$/;

export class ClusterSecret {
  private readonly key: Buffer;
  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'cloud-connector cluster', 'forwarded call v1', 32));
  }

  /** The Authorization header for one forwarded call's body. */
  sign(body: string, now = Date.now()): string {
    return `${AUTH_SCHEME} t=${now}, sig=${this.mac(now, body).toString('base64url')}`;
  }

  /** Signed with this cluster's secret, for this body, within MAX_SKEW_MS of now. */
  verify(header: string | undefined, body: string, now = Date.now()): boolean {
    const match = SIGNATURE_FORMAT.exec(header ?? '');
    if (!match) return false;
    const at = Number(match[1]);
    if (!(Math.abs(now - at) <= MAX_SKEW_MS)) return false;
    return timingSafeEqual(Buffer.from(match[2] as string, 'base64url'), this.mac(at, body));
  }

  /** Whether a header has the signature's form (checked before a body is read). */
  static looksSigned(header: string | undefined): boolean {
    return SIGNATURE_FORMAT.test(header ?? '');
  }

  private mac(at: number, body: string): Buffer {
    return createHmac('sha256', this.key).update(`${at}.`).update(sha256(body)).digest();
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
  const authorization = req.headers.authorization;
  if (!ClusterSecret.looksSigned(authorization)) {
    req.resume();
    sendJson(res, 401, { error: 'cluster signature missing or wrong' });
    return;
  }
  if (req.method !== 'POST') {
    req.resume();
    sendJson(res, 405, { error: 'POST only' });
    return;
  }
  let body: string;
  try {
    body = (await readBody(req, options.maxBodyBytes)).toString('utf8');
  } catch {
    if (!res.headersSent) sendJson(res, 400, { error: 'invalid forwarded call' });
    return;
  }
  if (!options.secret.verify(authorization, body)) {
    sendJson(res, 401, { error: 'cluster signature missing or wrong' });
    return;
  }
  let request: ForwardRequest;
  try {
    const parsed = forwardRequestSchema.safeParse(JSON.parse(body));
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

  /**
   * `signal` aborts the forward when the holder is known dead (its lease lapsed): a holder whose
   * machine vanished sends no reset, and the call would otherwise wait out its whole deadline.
   */
  forward(advertise: string, request: ForwardRequest, signal?: AbortSignal): Promise<Forwarded> {
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
            authorization: this.secret.sign(payload),
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
      const abandon = () => {
        // Still connecting: the call never left this instance, so another connector may take it.
        const sent = req.socket !== null && !req.socket.connecting;
        done({ kind: 'dropped' }, true, sent);
        req.destroy(new Error('holder lease lapsed'));
      };
      if (signal?.aborted) abandon();
      else signal?.addEventListener('abort', abandon, { once: true });
      req.on('close', () => signal?.removeEventListener('abort', abandon));
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

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
