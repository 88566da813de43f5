// The hub's HTTP API: `/healthz`, then behind the API key `/v1/connectors`, `/v1/alerts`,
// `/metrics` and `POST /v1/<tenant>/<environment>/rpc/<method>`, which routes a call to a
// connector (PROTOCOL §8). Runs inside the listener guard, which has already refused targets
// that do not parse or percent-decode; anything malformed here is a RequestRefused (4xx).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type GuardedHandler, readBody } from '../common/net/listener-guard.js';
import type { RequestTarget } from '../common/net/request-target.js';
import { PROMETHEUS_CONTENT_TYPE } from '../main/health/prometheus.js';
import { ALL_METHODS, type MethodName, PLATFORM_DEADLINE_SLACK_MS } from '../shared/protocol/index.js';
import type { AlertMonitor } from './alerts.js';
import type { ApiKeys } from './api-keys.js';
import type { HubCoordinator } from './cluster/coordinator.js';
import type { ConnectorSession } from './connector-session.js';
import { type HttpError, httpErrorFromRpc, hubError } from './http-status.js';
import type { HubMetrics } from './hub-metrics.js';

export interface HttpApiOptions {
  apiKeys: ApiKeys;
  sessions: () => ReadonlySet<ConnectorSession>;
  alerts: AlertMonitor;
  metrics: HubMetrics;
  deadlines: Record<MethodName, number>;
  maxBodyBytes: number;
  isClosing: () => boolean;
  /** Cluster hook: routing, the connector and alert lists, /readyz and the instances' own path. */
  coordinator: HubCoordinator;
}

export function httpApi(options: HttpApiOptions): GuardedHandler {
  const { apiKeys, alerts, metrics, coordinator } = options;
  return async (req, res, target) => {
    const route = target.path;
    if (await coordinator.handleHttp(req, res, route)) return;
    if (req.method === 'GET' && route === '/healthz') {
      sendJson(res, 200, { status: 'ok', connectors: options.sessions().size });
      return;
    }
    if (!apiKeys.check(req.headers.authorization)) {
      send(res, hubError(401, 'unauthorized', 'Missing or wrong API key (Authorization: Bearer <key>).'));
      return;
    }
    if (req.method === 'GET' && route === '/v1/connectors') {
      sendJson(res, 200, { connectors: await coordinator.connectors() });
      return;
    }
    if (req.method === 'GET' && route === '/v1/alerts') {
      sendJson(res, 200, { alerts: await coordinator.alerts(alerts.active()) });
      return;
    }
    // Behind the API key: the labels name tenants, which are the platform's business.
    if (req.method === 'GET' && route === '/metrics') {
      const text = metrics.render() + coordinator.metricsText();
      res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    const rpc = rpcTarget(target);
    if (!rpc) {
      send(res, hubError(404, 'not_found', 'No such endpoint.'));
      return;
    }
    if (req.method !== 'POST') {
      send(res, hubError(405, 'method_not_allowed', 'Use POST with the params as a JSON body.'));
      return;
    }
    const { tenant, environment, method } = rpc;
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
  };

  async function answerCall(
    req: IncomingMessage,
    tenant: string,
    environment: string,
    method: MethodName,
  ): Promise<{ result: unknown } | HttpError> {
    const body = (await readBody(req, options.maxBodyBytes)).toString('utf8');
    let params: unknown;
    try {
      params = JSON.parse(body || '{}');
    } catch {
      return hubError(400, 'parse_error', 'The request body is not valid JSON.');
    }
    if (options.isClosing())
      return hubError(503, 'no_connector', 'The platform is restarting; try again shortly.', true);
    const waitMs = options.deadlines[method] + PLATFORM_DEADLINE_SLACK_MS;
    const idempotencyKey = req.headers['idempotency-key'];
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(String(idempotencyKey))) {
      return hubError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 visible ASCII characters.');
    }
    const outcome = await coordinator.route(
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
}

/** `/v1/<tenant>/<environment>/rpc/<method>`, its parts percent-decoded (by the guard). */
function rpcTarget(target: RequestTarget): { tenant: string; environment: string; method: string } | null {
  const [v1, tenant, environment, rpc, method, ...rest] = target.segments;
  if (v1 !== 'v1' || rpc !== 'rpc' || rest.length > 0) return null;
  if (!tenant || !environment || !method) return null;
  return { tenant, environment, method };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function send(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, error.body);
}
