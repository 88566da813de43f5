// The hub's side of one authenticated connector connection: sends requests, matches responses,
// cancels past the deadline, and reports a dropped connection to every waiting caller.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { BatchedSender } from '../main/core/batched-sender.js';
import {
  CLOSE,
  type HelloParams,
  NOTIFICATIONS,
  type RpcErrorObject,
  rpcResponseSchema,
  type SourceState,
} from '../shared/protocol/index.js';
import { knownSources } from './connector-text.js';

const HEALTH_REPORT_INTERVAL_MS = 1_000;

export type CallOutcome =
  | { kind: 'result'; result: unknown }
  | { kind: 'error'; error: RpcErrorObject }
  | { kind: 'dropped' }
  | { kind: 'timeout' };

interface Pending {
  resolve: (outcome: CallOutcome) => void;
  timer: NodeJS.Timeout;
}

export interface ConnectorInfo {
  sessionId: string;
  connectorId: string;
  tenant: string;
  environment: string;
  name: string;
  version: string;
  methods: string[];
  maxConcurrency: number;
  inFlight: number;
  draining: boolean;
  connectedAt: string;
  sources: Record<string, SourceState>;
}

export class ConnectorSession extends EventEmitter<{
  closed: [];
  draining: [];
  health: [Record<string, SourceState>];
}> {
  readonly connectedAt = new Date();
  draining = false;
  sources: Record<string, SourceState> = {};
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private readonly sender: BatchedSender;
  private lastHealthAt = Number.NEGATIVE_INFINITY;
  private healthTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly ws: WebSocket,
    readonly sessionId: string,
    readonly tenant: string,
    readonly tokenHash: string,
    readonly hello: Omit<HelloParams, 'token'>,
  ) {
    super();
    this.sender = new BatchedSender(ws);
    ws.on('close', () => this.onClose());
  }

  get inFlight(): number {
    return this.pending.size;
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  advertises(method: string): boolean {
    return method === 'connector.info' || this.hello.methods.includes(method);
  }

  /** Sends one request; resolves with its outcome, or `timeout` after waitMs (then cancels it). */
  call(method: string, params: unknown, waitMs: number): Promise<CallOutcome> {
    if (!this.isOpen) return Promise.resolve({ kind: 'dropped' });
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.notify(NOTIFICATIONS.cancel, { id });
        resolve({ kind: 'timeout' });
      }, waitMs);
      this.pending.set(id, { resolve, timer });
      this.sender.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  notify(method: string, params: unknown): void {
    if (this.isOpen) this.sender.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  /** Handles one text frame after the handshake. */
  handleFrame(text: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text);
    } catch {
      this.ws.send(
        JSON.stringify({
          jsonrpc: '2.0',
          id: null,
          error: {
            code: -32700,
            message: 'The message is not valid JSON.',
            data: { reason: 'parse_error', retryable: false },
          },
        }),
      );
      return;
    }
    if (message && typeof message === 'object' && 'method' in message) {
      this.handleConnectorMessage(message);
      return;
    }
    const response = rpcResponseSchema.safeParse(message);
    if (!response.success || typeof response.data.id !== 'number') return;
    const pending = this.pending.get(response.data.id);
    if (!pending) return; // answered after we gave up: already reported as a timeout
    this.pending.delete(response.data.id);
    clearTimeout(pending.timer);
    pending.resolve(
      'error' in response.data
        ? { kind: 'error', error: response.data.error }
        : { kind: 'result', result: response.data.result },
    );
  }

  private handleConnectorMessage(message: Record<string, unknown>): void {
    if (message.method === NOTIFICATIONS.draining) {
      if (!this.draining) {
        this.draining = true;
        this.emit('draining');
      }
      return;
    }
    if (message.method === NOTIFICATIONS.health) {
      // Only the §7 source names count: a report of thousands of invented names is two at most.
      const sources = knownSources(message.params);
      if (sources) this.reportHealth(sources);
      return;
    }
    if ('id' in message) {
      this.ws.send(
        JSON.stringify({
          jsonrpc: '2.0',
          id: typeof message.id === 'string' || typeof message.id === 'number' ? message.id : null,
          error: {
            code: -32601,
            message: 'The platform offers no methods to connectors.',
            data: { reason: 'method_not_found', retryable: false },
          },
        }),
      );
    }
  }

  /**
   * Passes a health report on at most once a second (the latest one wins), so that a connector
   * flipping its sources in a loop cannot turn into a flood of alerts and webhook calls.
   */
  private reportHealth(sources: Record<string, SourceState>): void {
    this.sources = sources;
    if (this.healthTimer) return;
    const wait = this.lastHealthAt + HEALTH_REPORT_INTERVAL_MS - performance.now();
    if (wait <= 0) {
      this.lastHealthAt = performance.now();
      this.emit('health', this.sources);
      return;
    }
    this.healthTimer = setTimeout(() => {
      this.healthTimer = null;
      if (this.closed) return;
      this.lastHealthAt = performance.now();
      this.emit('health', this.sources);
    }, wait);
  }

  close(code: number = CLOSE.goingAway): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code);
    setTimeout(() => this.ws.terminate(), 5_000).unref();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.healthTimer) clearTimeout(this.healthTimer);
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve({ kind: 'dropped' });
      this.pending.delete(id);
    }
    this.emit('closed');
  }

  info(): ConnectorInfo {
    return {
      sessionId: this.sessionId,
      connectorId: this.hello.connectorId,
      tenant: this.tenant,
      environment: this.hello.environment,
      name: this.hello.name,
      version: this.hello.version,
      methods: this.hello.methods,
      maxConcurrency: this.hello.maxConcurrency,
      inFlight: this.inFlight,
      draining: this.draining,
      connectedAt: this.connectedAt.toISOString(),
      sources: this.sources,
    };
  }
}
