// One WebSocket to the platform: subprotocol check, hello, heartbeat, and frames handed to the
// dispatcher once the session is established. The Connector decides what happens after a close.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import WebSocket, { type ClientOptions } from 'ws';
import {
  CLOSE,
  deadAfterMs,
  describeClose,
  goawayParamsSchema,
  HEARTBEAT_MS,
  HELLO_ID,
  type HelloParams,
  type HelloResult,
  helloResultSchema,
  MAX_HEARTBEAT_MS,
  MIN_HEARTBEAT_MS,
  NOTIFICATIONS,
  SUBPROTOCOL,
} from '../../shared/protocol/index.js';
import { BatchedSender } from './batched-sender.js';
import type { Dispatcher, ReplyChannel } from './dispatcher.js';
import { Heartbeat, type HeartbeatTiming } from './heartbeat.js';

export interface ConnectionOptions {
  url: string;
  clientOptions: ClientOptions;
  hello: HelloParams;
  dispatcher: Dispatcher;
  /**
   * Test overrides of PROTOCOL §1's timers. Without them the connector pings every 15 s until the
   * hello result names the platform's `heartbeatMs`, then every `heartbeatMs`, and declares the
   * platform dead after 2 × that + 5 s of silence.
   */
  pingIntervalMs?: number;
  deadAfterMs?: number;
  helloTimeoutMs: number;
}

export interface ConnectionClosed {
  code: number;
  /** Plain-words cause, safe to show and log (never contains the token). */
  cause: string;
  wasConnected: boolean;
  connectedForMs: number;
}

export interface ConnectionEvents {
  authenticating: [];
  connected: [HelloResult];
  closed: [ConnectionClosed];
  latency: [number];
  goaway: [number];
}

export class Connection extends EventEmitter<ConnectionEvents> {
  /** Channel id for the dispatcher; the platform's sessionId once known. */
  readonly id = randomUUID();
  session: HelloResult | null = null;
  private ws: WebSocket | null = null;
  private sender: BatchedSender | null = null;
  private heartbeat: Heartbeat | null = null;
  private helloTimer: NodeJS.Timeout | null = null;
  private connectedAt = 0;
  private closedEmitted = false;
  private cause: string | null = null;
  /** Where the dispatcher sends this connection's answers (one object, not one per frame). */
  private readonly channel: ReplyChannel = { id: this.id, send: (text) => this.send(text) };

  constructor(private readonly options: ConnectionOptions) {
    super();
  }

  get isClosed(): boolean {
    return this.closedEmitted;
  }

  get isConnected(): boolean {
    return this.session !== null && this.ws?.readyState === WebSocket.OPEN;
  }

  open(): void {
    const ws = new WebSocket(this.options.url, [SUBPROTOCOL], this.options.clientOptions);
    this.ws = ws;
    this.sender = new BatchedSender(ws);
    let socket: Duplex | undefined;
    ws.on('upgrade', (response) => {
      socket = response.socket;
    });
    ws.on('open', () => {
      if (ws.protocol !== SUBPROTOCOL) {
        this.fail(CLOSE.protocolError, 'the platform did not accept the connector.v1 protocol');
        return;
      }
      this.heartbeat = new Heartbeat(ws, {
        ...this.heartbeatTiming(HEARTBEAT_MS),
        socket,
        onDead: () => {
          this.cause = 'no sign of life from the platform (heartbeat timed out)';
          ws.terminate();
        },
        onRtt: (ms) => this.emit('latency', ms),
      });
      this.emit('authenticating');
      this.helloTimer = setTimeout(
        () => this.fail(CLOSE.protocolError, 'the platform did not answer the hello in time'),
        this.options.helloTimeoutMs,
      );
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: HELLO_ID, method: 'connector.hello', params: this.options.hello }));
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.fail(CLOSE.unsupportedData, 'the platform sent a binary frame');
        return;
      }
      const text = data.toString();
      if (this.session) {
        if (!this.handleNotification(text)) {
          // The frame's size is the buffer's length: no second pass over the text to count it.
          this.options.dispatcher.handleFrame(text, this.channel, Buffer.isBuffer(data) ? data.length : undefined);
        }
        return;
      }
      this.handleHelloResponse(text);
    });
    ws.on('error', (error) => {
      this.cause ??= describeSocketError(error);
    });
    ws.on('close', (code) => this.onClose(code));
  }

  private handleHelloResponse(text: string): void {
    let message: { id?: unknown; result?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      this.fail(CLOSE.protocolError, 'the platform sent something that is not JSON before the hello answer');
      return;
    }
    const result = helloResultSchema.safeParse(message?.result);
    if (message?.id !== HELLO_ID || !result.success) {
      this.fail(CLOSE.protocolError, 'the platform answered the hello with something unexpected');
      return;
    }
    if (result.data.environment !== this.options.hello.environment) {
      this.fail(CLOSE.protocolError, 'the platform accepted the hello for the other environment');
      return;
    }
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.heartbeat?.retime(this.heartbeatTiming(result.data.heartbeatMs));
    this.session = result.data;
    this.connectedAt = performance.now();
    this.emit('connected', result.data);
  }

  /** The platform's interval, kept within PROTOCOL's bounds, unless a test fixed the timers. */
  private heartbeatTiming(platformHeartbeatMs: number): HeartbeatTiming {
    const heartbeatMs = Math.min(MAX_HEARTBEAT_MS, Math.max(MIN_HEARTBEAT_MS, platformHeartbeatMs));
    const pingIntervalMs = this.options.pingIntervalMs ?? heartbeatMs;
    return { pingIntervalMs, deadAfterMs: this.options.deadAfterMs ?? deadAfterMs(pingIntervalMs) };
  }

  /** Returns true when the frame was a platform notification handled here. */
  private handleNotification(text: string): boolean {
    // Cheap pre-check so that ordinary requests are parsed once, by the dispatcher.
    if (!text.includes(NOTIFICATIONS.goaway)) return false;
    try {
      const msg = JSON.parse(text);
      if (msg?.method !== NOTIFICATIONS.goaway || 'id' in msg) return false;
      const params = goawayParamsSchema.safeParse(msg.params ?? {});
      this.emit('goaway', params.success ? params.data.reconnectAfterMs : 0);
      return true;
    } catch {
      return false;
    }
  }

  send(text: string): void {
    this.sender?.send(text);
  }

  notify(method: string, params: unknown): void {
    this.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  close(code: number = CLOSE.goingAway, cause = 'closed by the connector'): void {
    this.cause ??= cause;
    const ws = this.ws;
    if (!ws) return;
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.terminate();
    } else if (ws.readyState === WebSocket.OPEN) {
      ws.close(code);
      // A peer that never completes the closing handshake is not waited for forever.
      setTimeout(() => ws.terminate(), 5_000).unref();
    }
  }

  private fail(code: number, cause: string): void {
    this.cause ??= cause;
    this.close(code, cause);
  }

  private onClose(code: number): void {
    this.heartbeat?.stop();
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.options.dispatcher.abandonChannel(this.id);
    if (this.closedEmitted) return;
    this.closedEmitted = true;
    const wasConnected = this.session !== null;
    this.emit('closed', {
      code,
      cause: this.cause ?? describeClose(code),
      wasConnected,
      connectedForMs: wasConnected ? performance.now() - this.connectedAt : 0,
    });
  }
}

/** Socket errors in plain words; messages are built here so no URL credentials or token leak. */
export function describeSocketError(error: Error & { code?: string; plainWords?: boolean }): string {
  // Written for people where it was raised (the system proxy's 407, with its fix).
  if (error.plainWords === true) return error.message;
  const code = error.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the platform address could not be resolved (DNS)';
  if (code === 'ECONNREFUSED') return 'the platform refused the connection (is it running, or a firewall in the way?)';
  if (code === 'ETIMEDOUT' || /timed out/i.test(error.message)) return 'the connection timed out (firewall or proxy?)';
  if (code === 'ECONNRESET') return 'the connection was reset (a proxy or firewall may be interfering)';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|unable to (get|verify)/i.test(code + error.message))
    return 'the platform certificate is not trusted (configure caFile if your network inspects TLS)';
  if (/protocol version|wrong version|unsupported protocol|TLSV1_ALERT|ERR_SSL/i.test(code + error.message))
    return 'TLS negotiation failed (the platform must offer TLS 1.2 or later)';
  if (/Unexpected server response: 407/.test(error.message)) return 'the proxy requires authentication';
  if (/Unexpected server response: (\d+)/.test(error.message))
    return `the platform answered HTTP ${/(\d{3})/.exec(error.message)?.[1]} instead of a WebSocket`;
  if (/subprotocol/i.test(error.message)) return 'the platform did not accept the connector.v1 protocol';
  return 'the connection failed';
}
