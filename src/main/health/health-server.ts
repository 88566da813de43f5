// The connector's optional local HTTP server (`healthPort` in the config), always on loopback:
// `GET /ready` for watchdogs and service managers, `GET /metrics` for Prometheus. It only reads
// the connector's status; it accepts no input and changes nothing, so it asks for no key. It
// answers only requests whose Host names its own address (421 otherwise), so a web page whose
// name was re-pointed at 127.0.0.1 (DNS rebinding) cannot read it, and it runs inside the
// listener guard: no request ends the connector.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GUARDED_SERVER_OPTIONS, guardRequests } from '../../common/net/listener-guard.js';
import type { Connector } from '../core/connector.js';
import { type Logger, silentLogger } from '../core/logger.js';
import type { ConsentStore, PatientLookupSource } from '../integrations/types.js';
import { connectorMetrics } from './connector-metrics.js';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus.js';
import { readiness } from './readiness.js';
import { startSourceMonitor } from './source-monitor.js';

export const HEALTH_HOST = '127.0.0.1';

export interface HealthServerOptions {
  port: number;
  connector: Connector;
  /** When given, pinged every `sourceCheckMs` so that `/ready` and the platform see an outage. */
  source?: PatientLookupSource;
  store?: ConsentStore;
  sourceCheckMs?: number;
  logger?: Logger;
}

export interface HealthServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const logger = options.logger ?? silentLogger;
  const metrics = connectorMetrics(options.connector);
  const server = http.createServer(GUARDED_SERVER_OPTIONS);
  let ownHosts: string[] = [];
  const guard = { listener: 'health server', logger, allowedHosts: () => ownHosts };
  guardRequests(server, guard, (req, res, target) => {
    const path = target.path;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(res, 405, 'text/plain; charset=utf-8', 'Only GET is offered here.\n', { allow: 'GET, HEAD' });
    } else if (path === '/ready') {
      const r = readiness(options.connector.status());
      reply(res, r.ready ? 200 : 503, 'text/plain; charset=utf-8', `${r.reason}\n`);
    } else if (path === '/metrics') {
      reply(res, 200, PROMETHEUS_CONTENT_TYPE, metrics.render());
    } else {
      reply(res, 404, 'text/plain; charset=utf-8', 'Not found. Try /ready or /metrics.\n');
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, HEALTH_HOST, () => resolve());
    });
  } catch (error) {
    metrics.detach();
    throw error;
  }
  const monitor =
    options.source || options.store
      ? startSourceMonitor({
          connector: options.connector,
          source: options.source,
          store: options.store,
          intervalMs: options.sourceCheckMs,
        })
      : null;
  const port = (server.address() as AddressInfo).port;
  // The address as a client names it; `localhost` too, which resolves to it on every system we serve.
  ownHosts = [`${HEALTH_HOST}:${port}`, `localhost:${port}`];
  logger.info('health endpoints listening', { ready: `http://${HEALTH_HOST}:${port}/ready` });
  return {
    port,
    url: `http://${HEALTH_HOST}:${port}`,
    async close() {
      monitor?.stop();
      metrics.detach();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function reply(
  res: http.ServerResponse,
  status: number,
  contentType: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
