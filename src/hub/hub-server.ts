// The reference platform: accepts connectors on /connector/v1 (hello checked against the tokens
// file), keeps them alive with the heartbeat, and offers an HTTP API that routes calls to them.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { Heartbeat } from '../main/core/heartbeat.js';
import { type Logger, silentLogger } from '../main/core/logger.js';
import { PROMETHEUS_CONTENT_TYPE } from '../main/health/prometheus.js';
import {
  ALL_METHODS,
  CLOSE,
  CONNECTOR_PATH,
  DEAD_AFTER_MS,
  DEFAULT_DEADLINES_MS,
  DRAIN_GRACE_MS,
  HELLO_ID,
  HELLO_TIMEOUT_MS,
  helloParamsSchema,
  MAX_MESSAGE_BYTES,
  type MethodName,
  NOTIFICATIONS,
  PING_INTERVAL_MS,
  PLATFORM_DEADLINE_SLACK_MS,
  PROTOCOL_VERSION,
  SUBPROTOCOL,
} from '../shared/protocol/index.js';
import { type AlertEvent, AlertMonitor, NO_CONNECTOR_ALERT_MS } from './alerts.js';
import { ApiKeys } from './api-keys.js';
import type { ClusterOptions } from './cluster/cluster-options.js';
import { createCoordinator } from './cluster/coordinator.js';
import { type ConnectorInfo, ConnectorSession } from './connector-session.js';
import { type HttpError, httpErrorFromRpc, hubError } from './http-status.js';
import { HubMetrics } from './hub-metrics.js';
import { TokenStore } from './tokens-file.js';
import { WebhookNotifier, type WebhookOptions } from './webhook.js';

export interface HubOptions {
  port: number;
  host?: string;
  tokensFile: string;
  apiKeys: string[];
  tls?: { cert: string; key: string };
  maxMessageBytes?: number;
  deadlinesMs?: Partial<Record<MethodName, number>>;
  timers?: { pingIntervalMs?: number; deadAfterMs?: number; helloTimeoutMs?: number; drainGraceMs?: number };
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
  /** Sends platform.goaway to every connector (an upgrade is coming), without closing. */
  goaway(reconnectAfterMs?: number): void;
  /** goaway, wait for in-flight calls (up to the grace period), close every socket and the server. */
  close(options?: { graceful?: boolean }): Promise<void>;
}

export async function startHub(options: HubOptions): Promise<Hub> {
  const logger = options.logger ?? silentLogger;
  const maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const timers = {
    pingIntervalMs: options.timers?.pingIntervalMs ?? PING_INTERVAL_MS,
    deadAfterMs: options.timers?.deadAfterMs ?? DEAD_AFTER_MS,
    helloTimeoutMs: options.timers?.helloTimeoutMs ?? HELLO_TIMEOUT_MS,
    drainGraceMs: options.timers?.drainGraceMs ?? DRAIN_GRACE_MS,
  };
  const deadlines = { ...DEFAULT_DEADLINES_MS, ...(options.deadlinesMs ?? {}) };
  const apiKeys = new ApiKeys(options.apiKeys);
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

  tokens.onReload((active) => {
    for (const s of sessions) {
      if (!active.has(s.tokenHash)) {
        logger.warn('token revoked; closing its connection', { sessionId: s.sessionId, tenant: s.tenant });
        s.close(CLOSE.tokenRejected);
      }
    }
  });

  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' })
    : http.createServer();
  server.on('request', (req, res) => {
    handleHttp(req, res).catch((error) => {
      logger.error('HTTP handler failed', { error: error instanceof Error ? error.name : 'unknown' });
      if (!res.headersSent) send(res, hubError(500, 'internal_error', 'The platform failed unexpectedly.'));
    });
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxMessageBytes,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://hub').pathname;
    if (path !== CONNECTOR_PATH || closing || !plane.acceptingConnectors()) {
      socket.end(`HTTP/1.1 ${closing ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => acceptConnector(ws));
  });

  function acceptConnector(ws: WebSocket): void {
    let session: ConnectorSession | null = null;
    const heartbeat = new Heartbeat(ws, {
      pingIntervalMs: timers.pingIntervalMs,
      deadAfterMs: timers.deadAfterMs,
      onDead: () => ws.terminate(),
      onRtt: (ms) => {
        if (session) session.latencyMs = Math.round(ms * 10) / 10;
      },
    });
    let helloTimer: NodeJS.Timeout | undefined;
    ws.on('close', () => {
      heartbeat.stop();
      clearTimeout(helloTimer);
    });
    ws.on('error', () => {});
    if (ws.protocol !== SUBPROTOCOL) {
      ws.close(CLOSE.badHello);
      return;
    }
    helloTimer = setTimeout(() => ws.close(CLOSE.helloTimeout), timers.helloTimeoutMs);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(CLOSE.unsupportedData);
        return;
      }
      if (session) {
        session.handleFrame(data.toString());
        return;
      }
      clearTimeout(helloTimer);
      session = handshake(ws, data.toString());
    });
  }

  function handshake(ws: WebSocket, text: string): ConnectorSession | null {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text);
    } catch {
      ws.close(CLOSE.badHello);
      return null;
    }
    if (message?.method !== 'connector.hello' || message.id !== HELLO_ID || message.jsonrpc !== '2.0') {
      ws.close(CLOSE.badHello);
      return null;
    }
    const rawParams = message.params as Record<string, unknown> | undefined;
    if (typeof rawParams?.protocol === 'number' && rawParams.protocol !== PROTOCOL_VERSION) {
      ws.close(CLOSE.protocolUnsupported);
      return null;
    }
    const hello = helloParamsSchema.safeParse(rawParams);
    if (!hello.success) {
      ws.close(CLOSE.badHello);
      return null;
    }
    const match = tokens.verify(hello.data.token);
    if (!match) {
      logger.warn('connector rejected: token unknown, revoked or expired', { environment: hello.data.environment });
      ws.close(CLOSE.tokenRejected);
      return null;
    }
    if (match.environment !== hello.data.environment) {
      logger.warn('connector rejected: token is for another environment', { tenant: match.tenant });
      ws.close(CLOSE.wrongEnvironment);
      return null;
    }
    const { token: _secret, ...publicHello } = hello.data;
    const session = new ConnectorSession(ws, randomUUID(), match.tenant, match.sha256, publicHello);
    sessions.add(session);
    plane.sessionOpened(session);
    const environment = publicHello.environment;
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
      alerts.sourceHealth(
        {
          sessionId: session.sessionId,
          connectorId: publicHello.connectorId,
          name: publicHello.name,
          tenant: session.tenant,
          environment,
        },
        sources,
      );
    });
    ws.send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: HELLO_ID,
        result: {
          sessionId: session.sessionId,
          tenant: match.tenant,
          environment: match.environment,
          heartbeatMs: timers.pingIntervalMs,
        },
      }),
    );
    logger.info('connector connected', {
      sessionId: session.sessionId,
      tenant: match.tenant,
      environment: match.environment,
      version: publicHello.version,
    });
    alerts.watch(match.tenant, environment);
    return session;
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hub');
    if (await plane.handleHttp(req, res, url.pathname)) return;
    if (req.method === 'GET' && url.pathname === '/healthz') {
      sendJson(res, 200, { status: 'ok', connectors: sessions.size });
      return;
    }
    if (!apiKeys.check(req.headers.authorization)) {
      send(res, hubError(401, 'unauthorized', 'Missing or wrong API key (Authorization: Bearer <key>).'));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/v1/connectors') {
      sendJson(res, 200, { connectors: await plane.connectors() });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/v1/alerts') {
      sendJson(res, 200, { alerts: await plane.alerts(alerts.active()) });
      return;
    }
    // Behind the API key: the labels name tenants, which are the platform's business.
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const text = metrics.render() + plane.metricsText();
      res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    const rpc = /^\/v1\/([^/]+)\/([^/]+)\/rpc\/([^/]+)$/.exec(url.pathname);
    if (!rpc) {
      send(res, hubError(404, 'not_found', 'No such endpoint.'));
      return;
    }
    if (req.method !== 'POST') {
      send(res, hubError(405, 'method_not_allowed', 'Use POST with the params as a JSON body.'));
      return;
    }
    const [tenant, environment, method] = rpc.slice(1).map(decodeURIComponent) as [string, string, string];
    if (!(ALL_METHODS as readonly string[]).includes(method)) {
      send(res, hubError(404, 'method_not_found', `Unknown method. Known: ${ALL_METHODS.join(', ')}.`));
      return;
    }
    const started = performance.now();
    const answer = await answerCall(req, tenant, environment, method as MethodName);
    metrics.calls.inc({ method, outcome: 'result' in answer ? 'ok' : answer.body.error.reason });
    metrics.duration.observe({ method }, (performance.now() - started) / 1000);
    if ('result' in answer) sendJson(res, 200, answer);
    else send(res, answer);
  }

  async function answerCall(
    req: IncomingMessage,
    tenant: string,
    environment: string,
    method: MethodName,
  ): Promise<{ result: unknown } | HttpError> {
    let params: unknown;
    try {
      params = JSON.parse((await readBody(req, maxMessageBytes)) || '{}');
    } catch (error) {
      return (error as Error).message === 'too_large'
        ? hubError(413, 'too_large', 'The request body is too large.')
        : hubError(400, 'parse_error', 'The request body is not valid JSON.');
    }
    if (closing) return hubError(503, 'no_connector', 'The platform is restarting; try again shortly.', true);
    const waitMs = deadlines[method] + PLATFORM_DEADLINE_SLACK_MS;
    const idempotencyKey = req.headers['idempotency-key'];
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(String(idempotencyKey))) {
      return hubError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 visible ASCII characters.');
    }
    const outcome = await plane.route(
      { tenant, environment, method, params, waitMs, idempotencyKey: idempotencyKey as string | undefined },
      (why) => metrics.retries.inc({ method, reason: why }),
    );
    switch (outcome.kind) {
      case 'refused':
        return outcome.error;
      case 'result':
        return { result: outcome.result };
      case 'error':
        return httpErrorFromRpc(outcome.error);
      case 'timeout':
        return hubError(504, 'source_timeout', 'The connector did not answer in time; the call was cancelled.', true);
      case 'dropped':
        return hubError(502, 'connection_lost', 'The connector connection dropped before it answered.', true);
      case 'no_connector':
        return hubError(503, 'no_connector', 'No connector is connected for this tenant and environment.', true);
    }
  }

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
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => {
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      await plane.close();
    },
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Discard the rest instead of destroying the socket, so that the caller gets the 413.
        chunks.length = 0;
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
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function send(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, error.body);
}
