// The reference platform: accepts connectors on /connector/v1 (connector-gate.ts), watches them
// with the heartbeat, and offers an HTTP API that routes calls to them (http-api.ts). Both
// listeners run inside the listener guard, so no request can end the process.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { GUARDED_SERVER_OPTIONS, guardRequests, guardUpgrades } from '../common/net/listener-guard.js';
import { type Logger, silentLogger } from '../main/core/logger.js';
import {
  CLOSE,
  CONNECTOR_PATH,
  DEFAULT_DEADLINES_MS,
  DRAIN_GRACE_MS,
  deadAfterMs,
  HEARTBEAT_MS,
  HELLO_TIMEOUT_MS,
  MAX_MESSAGE_BYTES,
  MAX_PENDING_HELLOS,
  type MethodName,
  NOTIFICATIONS,
} from '../shared/protocol/index.js';
import { type AlertEvent, AlertMonitor, NO_CONNECTOR_ALERT_MS } from './alerts.js';
import { ApiKeys } from './api-keys.js';
import type { ClusterOptions } from './cluster/cluster-options.js';
import { createCoordinator } from './cluster/coordinator.js';
import { ConnectorGate } from './connector-gate.js';
import type { ConnectorInfo, ConnectorSession } from './connector-session.js';
import { safeConnectorName, safeVersion } from './connector-text.js';
import { httpApi, send } from './http-api.js';
import { refusalError } from './http-status.js';
import { HubMetrics } from './hub-metrics.js';
import { TokenStore } from './tokens-file.js';
import { WebhookNotifier, type WebhookOptions } from './webhook.js';

export interface HubOptions {
  port: number;
  host?: string;
  tokensFile: string;
  apiKeys: string[];
  tls?: { cert: string; key: string };
  /** Largest message from a connector once its hello has succeeded (default 40 MiB). */
  maxMessageBytes?: number;
  /** Sockets that may wait for their hello at once (default 256); more get HTTP 503. */
  maxPendingHellos?: number;
  deadlinesMs?: Partial<Record<MethodName, number>>;
  timers?: {
    /** Named in the hello result: the connector pings at this interval (default 15 s). */
    heartbeatMs?: number;
    /** Silence after which a connector is dead; default 2 × heartbeatMs + 5 s (tests shorten it). */
    deadAfterMs?: number;
    helloTimeoutMs?: number;
    drainGraceMs?: number;
  };
  alerts?: {
    /** How long a watched (tenant, environment) may have no connector before the alert (default 60 s). */
    noConnectorAfterMs?: number;
    /** Each alert raised or cleared is POSTed here as JSON, retried with backoff. */
    webhookUrl?: string;
    webhook?: Pick<WebhookOptions, 'attempts' | 'baseDelayMs' | 'capDelayMs' | 'timeoutMs'>;
  };
  logger?: Logger;
  /** Several instances behind one address, coordinated through Redis (src/hub/cluster). Absent: this process alone. */
  cluster?: ClusterOptions;
}

export interface Hub {
  readonly port: number;
  readonly wsUrl: string;
  readonly httpUrl: string;
  connectors(): ConnectorInfo[];
  /** Alerts active now (no connector, data source down). */
  alerts(): AlertEvent[];
  /** The `GET /metrics` text. */
  metrics(): string;
  /** Sockets upgraded and still waiting for their hello. */
  pendingHellos(): number;
  /** Sends platform.goaway to every connector (an upgrade is coming), without closing. */
  goaway(reconnectAfterMs?: number): void;
  /** goaway, wait for in-flight calls (up to the grace period), close every socket and the server. */
  close(options?: { graceful?: boolean }): Promise<void>;
}

export async function startHub(options: HubOptions): Promise<Hub> {
  const logger = options.logger ?? silentLogger;
  const maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const heartbeatMs = options.timers?.heartbeatMs ?? HEARTBEAT_MS;
  const timers = {
    heartbeatMs,
    deadAfterMs: options.timers?.deadAfterMs ?? deadAfterMs(heartbeatMs),
    helloTimeoutMs: options.timers?.helloTimeoutMs ?? HELLO_TIMEOUT_MS,
    drainGraceMs: options.timers?.drainGraceMs ?? DRAIN_GRACE_MS,
  };
  const deadlines = { ...DEFAULT_DEADLINES_MS, ...(options.deadlinesMs ?? {}) };
  const tokens = new TokenStore(options.tokensFile, (message) => logger.warn(message));
  tokens.watch();
  // Tokens that expire while connected are closed within this interval, without a file change.
  const expiryCheck = setInterval(() => tokens.notify(), 10_000);
  expiryCheck.unref();
  const sessions = new Set<ConnectorSession>();
  let closing = false;

  const webhook = options.alerts?.webhookUrl
    ? new WebhookNotifier({
        url: options.alerts.webhookUrl,
        ...options.alerts.webhook,
        logger,
        onDelivered: () => metrics.webhook.inc({ result: 'delivered' }),
        onFailed: () => metrics.webhook.inc({ result: 'failed' }),
      })
    : null;
  const alerts = new AlertMonitor({
    noConnectorAfterMs: options.alerts?.noConnectorAfterMs ?? NO_CONNECTOR_ALERT_MS,
    logger,
    connectorsFor: (tenant, environment) => plane.usableConnectors(tenant, environment),
    notify: (event) => plane.alertTransition(event),
  });
  const metrics = new HubMetrics(() => sessions, alerts);
  // Cluster hook: routing, the connector and alert lists, alert decisions and leaving go through the
  // coordinator — this process's memory alone, or the cluster over Redis with `options.cluster`.
  const plane = await createCoordinator(options.cluster, {
    sessions: () => sessions,
    logger,
    deliverAlert: (event) => {
      metrics.alertEvents.inc({ alert: event.alert, status: event.status });
      webhook?.send(event);
    },
    alertPairs: () => alerts.watched(),
    watchPair: (tenant, environment) => alerts.watch(tenant, environment),
    refreshPair: (tenant, environment) => alerts.refresh(tenant, environment),
    goaway: (session) => session.notify(NOTIFICATIONS.goaway, { reconnectAfterMs: 0 }),
    noConnectorAfterMs: options.alerts?.noConnectorAfterMs ?? NO_CONNECTOR_ALERT_MS,
  });
  // Watched: every pair with an active token (a connector is expected there) and every pair seen.
  const watchTokenPairs = () => {
    for (const { tenant, environment } of tokens.activePairs()) alerts.watch(tenant, environment);
  };
  watchTokenPairs();
  tokens.onReload(watchTokenPairs);
  // Only an explicit `revoked` or a passed `expiresAt` closes a live session (never a file that
  // is missing, empty or half-written for a moment).
  tokens.onRevoked((revoked) => {
    for (const s of sessions) {
      if (revoked.has(s.tokenHash)) {
        logger.warn('token revoked; closing its connection', { sessionId: s.sessionId, tenant: s.tenant });
        s.close(CLOSE.tokenRejected);
      }
    }
  });

  const gate = new ConnectorGate({
    maxMessageBytes,
    maxPendingHellos: options.maxPendingHellos ?? MAX_PENDING_HELLOS,
    heartbeatMs: timers.heartbeatMs,
    deadAfterMs: timers.deadAfterMs,
    helloTimeoutMs: timers.helloTimeoutMs,
    tokens,
    logger,
    isClosing: () => closing || !plane.acceptingConnectors(),
    onSession: (session) => adopt(session),
  });

  function adopt(session: ConnectorSession): void {
    sessions.add(session);
    plane.sessionOpened(session);
    const { environment, connectorId, version } = session.hello;
    session.on('closed', () => {
      sessions.delete(session);
      plane.sessionClosed(session);
      logger.info('connector disconnected', { sessionId: session.sessionId, tenant: session.tenant });
      alerts.sessionGone(session.sessionId);
      alerts.refresh(session.tenant, environment);
    });
    session.on('draining', () => {
      logger.info('connector draining', { sessionId: session.sessionId, tenant: session.tenant });
      plane.sessionChanged(session);
      alerts.refresh(session.tenant, environment);
    });
    session.on('health', (sources) => {
      plane.sessionChanged(session);
      const subject = {
        sessionId: session.sessionId,
        connectorId,
        name: safeConnectorName(session.hello.name),
        tenant: session.tenant,
        environment,
      };
      alerts.sourceHealth(subject, sources);
    });
    logger.info('connector connected', {
      sessionId: session.sessionId,
      tenant: session.tenant,
      environment,
      version: safeVersion(version),
    });
    alerts.watch(session.tenant, environment);
  }

  const server = options.tls
    ? https.createServer({
        ...GUARDED_SERVER_OPTIONS,
        cert: options.tls.cert,
        key: options.tls.key,
        minVersion: 'TLSv1.2',
        // The headers timeout only starts once TLS is up: without this, a client that never
        // finishes its handshake holds a socket for Node's default of two minutes.
        handshakeTimeout: GUARDED_SERVER_OPTIONS.headersTimeout,
      })
    : http.createServer(GUARDED_SERVER_OPTIONS);
  const guard = {
    logger,
    writeRefusal: (res: http.ServerResponse, status: number, reason: string) => send(res, refusalError(status, reason)),
  };
  guardRequests(
    server,
    { ...guard, listener: 'hub api' },
    httpApi({
      apiKeys: new ApiKeys(options.apiKeys),
      sessions: () => sessions,
      alerts,
      metrics,
      deadlines,
      maxBodyBytes: maxMessageBytes,
      isClosing: () => closing,
      coordinator: plane,
    }),
  );
  guardUpgrades(server, { ...guard, listener: 'hub connector upgrade' }, (req, socket, head, target) =>
    gate.handleUpgrade(req, socket, head, target),
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const scheme = options.tls ? 'https' : 'http';
  await plane.start(`${scheme}://${hostForUrl}:${address.port}`);

  const goaway = (reconnectAfterMs = 0) => {
    for (const s of sessions) s.notify(NOTIFICATIONS.goaway, { reconnectAfterMs });
  };

  return {
    port: address.port,
    wsUrl: `${options.tls ? 'wss' : 'ws'}://${hostForUrl}:${address.port}${CONNECTOR_PATH}`,
    httpUrl: `${scheme}://${hostForUrl}:${address.port}`,
    connectors: () => [...sessions].map((s) => s.info()),
    alerts: () => alerts.active(),
    metrics: () => metrics.render() + plane.metricsText(),
    pendingHellos: () => gate.pendingHellos,
    goaway,
    async close({ graceful = true } = {}) {
      if (graceful) await plane.drain();
      closing = true;
      tokens.unwatch();
      clearInterval(expiryCheck);
      alerts.close();
      webhook?.close();
      if (graceful) {
        goaway(0);
        const until = Date.now() + timers.drainGraceMs;
        while ([...sessions].some((s) => s.inFlight > 0) && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      for (const s of sessions) graceful ? s.close(CLOSE.goingAway) : s.ws.terminate();
      gate.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      await plane.close();
    },
  };
}
