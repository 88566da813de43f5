// The connector engine: owns the session state machine, reconnects with full jitter, handles
// rejection and update-required schedules, goaway (make before break) and draining on stop.
import { EventEmitter } from 'node:events';
import {
  CLOSE,
  type Environment,
  type MethodName,
  NOTIFICATIONS,
  PROTOCOL_VERSION,
  reactionToClose,
  type SourceState,
} from '../../shared/protocol/index.js';
import { Backoff } from './backoff.js';
import { Connection, type ConnectionClosed } from './connection.js';
import { type CallCompleted, Dispatcher, type HandlerMap } from './dispatcher.js';
import { type Logger, silentLogger } from './logger.js';
import type { ConnectorStatus, SessionState } from './session-state.js';
import { buildClientOptions } from './transport.js';

export interface ConnectorTimers {
  /** Test overrides only: unset, the platform's heartbeatMs decides (PROTOCOL §1). */
  pingIntervalMs?: number;
  deadAfterMs?: number;
  helloTimeoutMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  backoffResetAfterMs: number;
  rejectedRetryMs: number;
  updateRequiredRetryMs: number;
  drainGraceMs: number;
}

export interface ConnectorSettings {
  environment: Environment;
  platformUrl: string;
  caFile?: string;
  proxy?: string;
  maxConcurrency: number;
  maxMessageBytes: number;
  connectorId: string;
  name: string;
  version: string;
  deadlinesMs: Record<MethodName, number>;
  timers: ConnectorTimers;
}

export interface ConnectorOptions {
  settings: ConnectorSettings;
  token: string;
  handlers: HandlerMap;
  logger?: Logger;
  /** Initial data-source states, keyed by method. */
  sources?: Record<string, SourceState>;
}

export interface ConnectorEvents {
  state: [ConnectorStatus];
  call: [CallCompleted & { sessionId: string | null }];
  connection: [
    { event: 'connected' | 'disconnected' | 'rejected' | 'draining'; sessionId: string | null; code?: number },
  ];
}

export class Connector extends EventEmitter<ConnectorEvents> {
  private readonly settings: ConnectorSettings;
  private token: string;
  private readonly logger: Logger;
  private readonly dispatcher: Dispatcher;
  private readonly backoff: Backoff;
  private state: SessionState = 'stopped';
  private since = new Date();
  private primary: Connection | null = null;
  private pending: Connection | null = null;
  private readonly retiring = new Set<Connection>();
  private timer: NodeJS.Timeout | null = null;
  /** A make-before-break attempt waiting to start (after goaway, or a retry of a failed one). */
  private goawayTimer: NodeJS.Timeout | null = null;
  private nextAttemptAt: Date | null = null;
  private latencyMs: number | null = null;
  private lastError: string | null = null;
  private lastCloseCode: number | null = null;
  private draining = false;
  private stopping: Promise<void> | null = null;
  private readonly startedAt = Date.now();
  private readonly sources: Record<string, SourceState>;

  constructor(options: ConnectorOptions) {
    super();
    this.settings = options.settings;
    this.token = options.token;
    this.logger = options.logger ?? silentLogger;
    this.sources = { ...(options.sources ?? {}) };
    this.backoff = new Backoff({
      baseMs: this.settings.timers.backoffBaseMs,
      capMs: this.settings.timers.backoffCapMs,
    });
    this.dispatcher = new Dispatcher({
      handlers: options.handlers,
      maxConcurrency: this.settings.maxConcurrency,
      deadlinesMs: this.settings.deadlinesMs,
      isDraining: () => this.draining,
      // The dispatcher makes a fresh record per call, so it is completed in place rather than copied.
      onCallCompleted: (call) => {
        const event = call as CallCompleted & { sessionId: string | null };
        event.sessionId = this.sessionIdFor(call.channelId);
        this.emit('call', event);
      },
      onInternalError: (method, error) =>
        this.logger.error('call failed unexpectedly', {
          method,
          error: error instanceof Error ? error.name : typeof error,
        }),
    });
  }

  get methods(): MethodName[] {
    return this.dispatcher.enabledMethods;
  }

  get uptimeS(): number {
    return Math.round((Date.now() - this.startedAt) / 1000);
  }

  status(): ConnectorStatus {
    return {
      state: this.state,
      since: this.since.toISOString(),
      environment: this.settings.environment,
      platformUrl: this.settings.platformUrl,
      version: this.settings.version,
      sessionId: this.primary?.session?.sessionId ?? null,
      tenant: this.primary?.session?.tenant ?? null,
      latencyMs: this.state === 'connected' ? this.latencyMs : null,
      lastError: this.lastError,
      lastCloseCode: this.lastCloseCode,
      nextAttemptAt: this.nextAttemptAt?.toISOString() ?? null,
      inFlight: this.dispatcher.inFlightCount,
      sources: { ...this.sources },
    };
  }

  start(): void {
    if (this.state !== 'stopped' || this.stopping) return;
    this.draining = false;
    this.connect();
  }

  /** Replaces the token; a rejected or waiting connector tries again at once. */
  setToken(token: string): void {
    if (token === this.token) return;
    this.token = token;
    if (this.state === 'rejected' || this.state === 'backing_off' || this.state === 'update_required') {
      this.reconnectNow();
    }
  }

  /** Skips any wait and connects now (tray "Reconnect now"). */
  reconnectNow(): void {
    if (this.stopping || this.state === 'stopped') return;
    if (this.state === 'connected' || this.state === 'connecting' || this.state === 'authenticating') return;
    this.clearTimer();
    this.backoff.reset();
    this.connect();
  }

  /** Records a data source's reachability and tells the platform when it changes. */
  setSourceState(method: string, state: SourceState): void {
    if (this.sources[method] === state) return;
    this.sources[method] = state;
    // Only on an established session: before the hello result any other message is a protocol error.
    if (this.primary?.isConnected) this.primary.notify(NOTIFICATIONS.health, this.healthParams());
    this.emitState();
  }

  /** PROTOCOL §4 carries only "up" and "down"; unconfigured methods are not reported. */
  private healthParams(): { sources: Record<string, SourceState> } {
    return { sources: Object.fromEntries(Object.entries(this.sources).filter(([, s]) => s !== 'unconfigured')) };
  }

  /** Drain: tell the platform, finish in-flight calls within the grace period, close with 1001. */
  stop(): Promise<void> {
    this.stopping ??= this.drainAndStop();
    return this.stopping;
  }

  private async drainAndStop(): Promise<void> {
    this.clearTimer();
    this.clearGoawayTimer();
    this.pending?.close(CLOSE.goingAway, 'stopping');
    const live = this.primary?.isConnected ? this.primary : null;
    if (live) {
      this.draining = true;
      this.setState('draining');
      this.emit('connection', { event: 'draining', sessionId: live.session?.sessionId ?? null });
      live.notify(NOTIFICATIONS.draining, {});
      const finished = await this.dispatcher.whenIdle(this.settings.timers.drainGraceMs);
      if (!finished) this.logger.warn('drain grace period ended with calls still running');
    }
    const all = [this.primary, this.pending, ...this.retiring].filter((c): c is Connection => c !== null);
    await Promise.all(all.map((c) => closeAndWait(c)));
    this.primary = null;
    this.pending = null;
    this.retiring.clear();
    this.setState('stopped');
    this.stopping = null;
  }

  private connect(): void {
    this.nextAttemptAt = null;
    // Never two primaries: a previous connection still open is closed, not forgotten.
    if (this.primary && !this.primary.isClosed) this.primary.close(CLOSE.goingAway, 'replaced');
    const connection = this.createConnection();
    this.primary = connection;
    this.setState('connecting');
    connection.open();
  }

  private createConnection(): Connection {
    const s = this.settings;
    const connection = new Connection({
      url: s.platformUrl,
      clientOptions: buildClientOptions({
        platformUrl: s.platformUrl,
        caFile: s.caFile,
        proxy: s.proxy,
        maxMessageBytes: s.maxMessageBytes,
        handshakeTimeoutMs: s.timers.helloTimeoutMs,
      }),
      hello: {
        protocol: PROTOCOL_VERSION,
        token: this.token,
        connectorId: s.connectorId,
        name: s.name,
        version: s.version,
        environment: s.environment,
        methods: this.dispatcher.enabledMethods,
        maxConcurrency: s.maxConcurrency,
      },
      dispatcher: this.dispatcher,
      pingIntervalMs: s.timers.pingIntervalMs,
      deadAfterMs: s.timers.deadAfterMs,
      helloTimeoutMs: s.timers.helloTimeoutMs,
    });
    connection.on('authenticating', () => {
      if (connection === this.primary) this.setState('authenticating');
    });
    connection.on('connected', (session) => this.onConnected(connection, session.sessionId));
    connection.on('latency', (ms) => {
      if (connection !== this.primary) return;
      this.latencyMs = Math.round(ms * 10) / 10;
      this.emitState();
    });
    connection.on('goaway', (afterMs) => this.onGoaway(connection, afterMs));
    connection.on('closed', (closed) => this.onClosed(connection, closed));
    return connection;
  }

  private onConnected(connection: Connection, sessionId: string): void {
    if (connection === this.pending) {
      // Make before break: the new session takes over, the old one finishes its calls.
      const old = this.primary;
      this.primary = connection;
      this.pending = null;
      if (old) this.retire(old);
    }
    if (connection !== this.primary) return;
    this.lastError = null;
    this.lastCloseCode = null;
    this.logger.info('connected', { sessionId, tenant: connection.session?.tenant });
    this.emit('connection', { event: 'connected', sessionId });
    this.setState('connected', true);
    if (Object.keys(this.healthParams().sources).length > 0) {
      connection.notify(NOTIFICATIONS.health, this.healthParams());
    }
  }

  private onGoaway(connection: Connection, afterMs: number): void {
    if (connection !== this.primary || this.pending || this.stopping || this.goawayTimer) return;
    this.logger.info('platform going away; opening a new connection first', { reconnectAfterMs: afterMs });
    this.scheduleMakeBeforeBreak(afterMs);
  }

  /**
   * Opens the replacement connection after `delayMs`, if the session it replaces is still the live
   * primary then: not after stop, not once that session has dropped (the normal reconnect takes
   * over), and never a second one.
   */
  private scheduleMakeBeforeBreak(delayMs: number): void {
    const replaced = this.primary;
    this.clearGoawayTimer();
    this.goawayTimer = setTimeout(() => {
      this.goawayTimer = null;
      if (this.stopping || this.pending || !replaced || replaced !== this.primary || !replaced.isConnected) return;
      this.pending = this.createConnection();
      this.pending.open();
    }, delayMs);
    this.goawayTimer.unref();
  }

  private clearGoawayTimer(): void {
    if (this.goawayTimer) clearTimeout(this.goawayTimer);
    this.goawayTimer = null;
  }

  private retire(connection: Connection): void {
    this.retiring.add(connection);
    void this.dispatcher.whenIdle(this.settings.timers.drainGraceMs, connection.id).then(() => {
      connection.close(CLOSE.goingAway, 'replaced by a new connection');
    });
  }

  private onClosed(connection: Connection, closed: ConnectionClosed): void {
    const sessionId = connection.session?.sessionId ?? null;
    if (closed.wasConnected) {
      this.emit('connection', { event: 'disconnected', sessionId, code: closed.code });
    }
    if (this.retiring.delete(connection)) return;
    if (this.stopping) return;
    if (connection === this.pending) {
      this.pending = null;
      if (this.primary?.isConnected) {
        // The old session still works; try the new one again later.
        this.scheduleMakeBeforeBreak(this.backoff.next());
        return;
      }
    } else if (connection === this.primary) {
      this.primary = null;
      if (this.pending) {
        this.primary = this.pending;
        this.pending = null;
        this.setState(this.primary.session ? 'connected' : 'connecting');
        return;
      }
    } else {
      return;
    }
    this.afterClose(closed);
  }

  private afterClose(closed: ConnectionClosed): void {
    this.clearGoawayTimer();
    this.lastCloseCode = closed.code;
    this.lastError = closed.cause;
    if (closed.connectedForMs >= this.settings.timers.backoffResetAfterMs) this.backoff.reset();
    const reaction = reactionToClose(closed.code);
    const fields = { code: closed.code, cause: closed.cause };
    if (reaction === 'rejected') {
      this.logger.warn('token rejected by the platform; retrying on the slow schedule', fields);
      this.emit('connection', { event: 'rejected', sessionId: null, code: closed.code });
      this.schedule('rejected', this.settings.timers.rejectedRetryMs);
    } else if (reaction === 'update_required') {
      this.logger.warn('platform requires a newer connector', fields);
      this.schedule('update_required', this.settings.timers.updateRequiredRetryMs);
    } else {
      const delay = this.backoff.next();
      this.logger.info('disconnected; reconnecting after backoff', { ...fields, delayMs: delay });
      this.schedule('backing_off', delay);
    }
  }

  private schedule(state: SessionState, delayMs: number): void {
    this.clearTimer();
    this.nextAttemptAt = new Date(Date.now() + delayMs);
    this.setState(state, true);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextAttemptAt = null;
  }

  private setState(state: SessionState, force = false): void {
    if (state === this.state && !force) return;
    if (state !== this.state) {
      this.since = new Date();
      this.logger.info(`state ${state}`, { environment: this.settings.environment });
    }
    this.state = state;
    this.emitState();
  }

  private emitState(): void {
    this.emit('state', this.status());
  }

  private sessionIdFor(channelId: string): string | null {
    // Once per call: no array built for the common case, the primary connection.
    if (this.primary?.id === channelId) return this.primary.session?.sessionId ?? null;
    if (this.pending?.id === channelId) return this.pending.session?.sessionId ?? null;
    for (const c of this.retiring) if (c.id === channelId) return c.session?.sessionId ?? null;
    return null;
  }
}

function closeAndWait(connection: Connection): Promise<void> {
  if (connection.isClosed) return Promise.resolve();
  return new Promise((resolve) => {
    connection.once('closed', () => resolve());
    connection.close(CLOSE.goingAway, 'stopping');
    // Connection.close terminates a peer that ignores the closing handshake after 5 s.
    setTimeout(resolve, 6_000).unref();
  });
}
