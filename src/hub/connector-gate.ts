// The hub's door for connectors (PROTOCOL §1–2): the WebSocket upgrade on /connector/v1, the
// unauthenticated stretch before the hello (64 KiB per message, a cap on sockets waiting, 10 s
// to say hello), the hello check against the tokens file, and the heartbeat watch (the hub
// answers the connector's pings and pings nothing itself). What happens to an accepted session
// (routing, alerts, logs) is the hub's business: `onSession`.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { RequestRefused } from '../common/net/listener-guard.js';
import type { RequestTarget } from '../common/net/request-target.js';
import { Heartbeat } from '../main/core/heartbeat.js';
import type { Logger } from '../main/core/logger.js';
import {
  CLOSE,
  CONNECTOR_PATH,
  HELLO_ID,
  helloParamsSchema,
  PRE_HELLO_MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  SUBPROTOCOL,
} from '../shared/protocol/index.js';
import { ConnectorSession } from './connector-session.js';
import { FrameCounter } from './frame-counter.js';
import { raiseMessageLimit } from './message-limit.js';
import type { TokenStore } from './tokens-file.js';

/**
 * Frames a socket may send before its hello has succeeded: the hello (which a client library may
 * fragment) and a few pings. A socket sending more is dropped (see frame-counter.ts).
 */
export const MAX_PRE_HELLO_FRAMES = 64;

/**
 * How long a socket the hub closes may take to answer the close frame (ws waits 30 s by default).
 * A refused or timed-out socket holds a waiting-for-hello slot until then, so clients that never
 * answer could keep every connector out; sessions are given 5 s too. (ws 8.18+ reads
 * `closeTimeout`; @types/ws does not list it yet, hence the spread. The hub-limits test fails if
 * an upgrade of ws stops honouring it.)
 */
const CLOSE_HANDSHAKE_WAIT = { closeTimeout: 5_000 };

export interface ConnectorGateOptions {
  /** Largest message once the hello has succeeded. */
  maxMessageBytes: number;
  /** How many sockets may wait for their hello at once; more are refused with HTTP 503. */
  maxPendingHellos: number;
  /** The interval the hub names in its hello result; the connector pings at it. */
  heartbeatMs: number;
  /** Silence after which a connector is dead (2 × heartbeatMs + 5 s unless a test says otherwise). */
  deadAfterMs: number;
  helloTimeoutMs: number;
  tokens: TokenStore;
  logger: Logger;
  isClosing: () => boolean;
  /** A connector has passed its hello; the session is open and its hello result sent. */
  onSession: (session: ConnectorSession) => void;
}

export class ConnectorGate {
  readonly wss: WebSocketServer;
  private pending = 0;

  constructor(private readonly options: ConnectorGateOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      // Checked against each frame's declared length before its payload is buffered.
      maxPayload: Math.min(PRE_HELLO_MAX_MESSAGE_BYTES, options.maxMessageBytes),
      perMessageDeflate: false,
      ...CLOSE_HANDSHAKE_WAIT,
      handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
  }

  /** Sockets that have upgraded and not yet passed (or failed) their hello. */
  get pendingHellos(): number {
    return this.pending;
  }

  /** The guarded `upgrade` handler. Throws RequestRefused for an HTTP answer instead of a WebSocket. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: RequestTarget): void {
    if (this.options.isClosing()) throw new RequestRefused(503, 'hub_closing', { 'retry-after': '1' });
    if (target.path !== CONNECTOR_PATH) throw new RequestRefused(404, 'no_such_path');
    if (this.pending >= this.options.maxPendingHellos) {
      throw new RequestRefused(503, 'too_many_pending_hellos', { 'retry-after': '1' });
    }
    this.pending++;
    let counted = true;
    const settle = () => {
      if (counted) this.pending--;
      counted = false;
    };
    // An upgrade that fails (bad key, wrong version) ends the socket without a callback.
    socket.once('close', settle);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket, settle));
  }

  private accept(ws: WebSocket, socket: Duplex, settle: () => void): void {
    let session: ConnectorSession | null = null;
    const heartbeat = new Heartbeat(ws, {
      socket,
      pingIntervalMs: null,
      deadAfterMs: this.options.deadAfterMs,
      onDead: () => ws.terminate(),
    });
    let helloTimer: NodeJS.Timeout | undefined;
    ws.on('close', () => {
      heartbeat.stop();
      clearTimeout(helloTimer);
      settle();
    });
    ws.on('error', () => {});
    // Runs after ws has read the chunk, so a hello that succeeded in it stops the count.
    const counter = new FrameCounter();
    const countFrames = (chunk: Buffer) => {
      if (session) {
        socket.off('data', countFrames);
        return;
      }
      counter.feed(chunk);
      if (counter.frames > MAX_PRE_HELLO_FRAMES) {
        socket.off('data', countFrames);
        ws.terminate();
      }
    };
    socket.on('data', countFrames);
    if (ws.protocol !== SUBPROTOCOL) {
      ws.close(CLOSE.badHello);
      return;
    }
    helloTimer = setTimeout(() => ws.close(CLOSE.helloTimeout), this.options.helloTimeoutMs);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(CLOSE.unsupportedData);
        return;
      }
      if (session) {
        session.handleFrame(data.toString());
        return;
      }
      if (ws.readyState !== ws.OPEN) return; // a second frame after a refused hello
      clearTimeout(helloTimer);
      session = this.handshake(ws, data.toString());
      if (session) settle();
    });
  }

  private handshake(ws: WebSocket, text: string): ConnectorSession | null {
    const refuse = (code: number) => {
      ws.close(code);
      return null;
    };
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text);
    } catch {
      return refuse(CLOSE.badHello);
    }
    if (message?.method !== 'connector.hello' || message.id !== HELLO_ID || message.jsonrpc !== '2.0') {
      return refuse(CLOSE.badHello);
    }
    const rawParams = message.params as Record<string, unknown> | undefined;
    if (typeof rawParams?.protocol === 'number' && rawParams.protocol !== PROTOCOL_VERSION) {
      return refuse(CLOSE.protocolUnsupported);
    }
    const hello = helloParamsSchema.safeParse(rawParams);
    if (!hello.success) return refuse(CLOSE.badHello);
    const { logger, tokens } = this.options;
    const match = tokens.verify(hello.data.token);
    if (!match) {
      logger.warn('connector rejected: token unknown, revoked or expired', { environment: hello.data.environment });
      return refuse(CLOSE.tokenRejected);
    }
    if (match.environment !== hello.data.environment) {
      logger.warn('connector rejected: token is for another environment', { tenant: match.tenant });
      return refuse(CLOSE.wrongEnvironment);
    }
    raiseMessageLimit(ws, this.options.maxMessageBytes);
    const { token: _secret, ...publicHello } = hello.data;
    const session = new ConnectorSession(ws, randomUUID(), match.tenant, match.sha256, publicHello);
    ws.send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: HELLO_ID,
        result: {
          sessionId: session.sessionId,
          tenant: match.tenant,
          environment: match.environment,
          heartbeatMs: this.options.heartbeatMs,
        },
      }),
    );
    this.options.onSession(session);
    return session;
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
