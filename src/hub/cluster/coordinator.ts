// What the hub asks of "the platform as a whole": where a call goes, which connectors and alerts
// exist, whether an alert is raised, and how the instance leaves. One process answers from its own
// memory (`localCoordinator`); with `--redis` the cluster answers over Redis (redis-coordinator.ts),
// so hub-server.ts holds no cluster logic, only calls into this interface.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../main/core/logger.js';
import type { MethodName } from '../../shared/protocol/index.js';
import type { AlertEvent } from '../alerts.js';
import type { CallOutcome, ConnectorInfo, ConnectorSession } from '../connector-session.js';
import type { HttpError } from '../http-status.js';
import { type RetryReason, routeCall } from '../router.js';
import type { ClusterOptions } from './cluster-options.js';

export interface RouteRequest {
  tenant: string;
  environment: string;
  method: MethodName;
  params: unknown;
  waitMs: number;
  /** The caller's `Idempotency-Key` header, if any (honoured by the cluster). */
  idempotencyKey?: string;
}

/** A routed call's outcome; `refused` is an answer the platform gives without reaching a connector. */
export type PlaneOutcome = CallOutcome | { kind: 'no_connector' } | { kind: 'refused'; error: HttpError };

/** What the hub gives its coordinator: its sessions and the parts of it the coordinator drives. */
export interface CoordinatorContext {
  sessions: () => Iterable<ConnectorSession>;
  logger: Logger;
  /** Sends an alert transition to the webhook and counts it (the coordinator decides whether). */
  deliverAlert: (event: AlertEvent) => void;
  /** The hub's alert monitor: pairs it watches, and a re-count of one pair. */
  alertPairs: () => Array<{ tenant: string; environment: string }>;
  watchPair: (tenant: string, environment: string) => void;
  refreshPair: (tenant: string, environment: string) => void;
  /** Sends platform.goaway to one session. */
  goaway: (session: ConnectorSession) => void;
}

export interface HubCoordinator {
  /** After the hub listens: its own API address (the default advertised address in a cluster). */
  start(httpUrl: string): Promise<void>;
  sessionOpened(session: ConnectorSession): void;
  /** Draining, health or in-flight count changed. */
  sessionChanged(session: ConnectorSession): void;
  sessionClosed(session: ConnectorSession): void;
  /** Routes one call (PROTOCOL §8) with one failover; `onRetry` counts each second try. */
  route(request: RouteRequest, onRetry: (why: RetryReason) => void): Promise<PlaneOutcome>;
  /** Usable (open, not draining) connectors of a pair, everywhere the coordinator can see. */
  usableConnectors(tenant: string, environment: string): number;
  /** The alert monitor's transition: delivered, or not, as the coordinator decides. */
  alertTransition(event: AlertEvent): void;
  connectors(): Promise<ConnectorInfo[]>;
  alerts(local: AlertEvent[]): Promise<AlertEvent[]>;
  /** Endpoints outside the public API (`/readyz`, the cluster's own); true when it answered. */
  handleHttp(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
  /** False while leaving: new connector sockets should go to another instance. */
  acceptingConnectors(): boolean;
  /** Extra `/metrics` text (empty for one process). */
  metricsText(): string;
  /** First step of a graceful stop: not ready, goaway spread out, connectors moved. */
  drain(): Promise<void>;
  /** Last step of any stop: releases what it holds (the cluster lease). */
  close(): Promise<void>;
}

export async function createCoordinator(
  cluster: ClusterOptions | undefined,
  context: CoordinatorContext & { noConnectorAfterMs: number },
): Promise<HubCoordinator> {
  if (!cluster) return localCoordinator(context);
  // Loaded only in cluster mode: one process (demo, preview, tests) never loads the Redis client.
  const { startRedisCoordinator } = await import('./redis-coordinator.js');
  return startRedisCoordinator({ ...cluster, noConnectorAfterMs: context.noConnectorAfterMs }, context);
}

/** One process: everything is in this process's memory, exactly as the hub has always worked. */
export function localCoordinator(context: CoordinatorContext): HubCoordinator {
  let leaving = false;
  const usable = (tenant: string, environment: string) =>
    [...context.sessions()].filter(
      (s) => s.isOpen && !s.draining && s.tenant === tenant && s.hello.environment === environment,
    ).length;
  return {
    async start() {},
    sessionOpened() {},
    sessionChanged() {},
    sessionClosed() {},
    async route(request, onRetry) {
      return (await routeCall(context.sessions, request, onRetry)).outcome;
    },
    usableConnectors: usable,
    alertTransition: (event) => context.deliverAlert(event),
    async connectors() {
      return [...context.sessions()].map((s) => s.info());
    },
    async alerts(local) {
      return local;
    },
    async handleHttp(req, res, path) {
      if (path !== '/readyz' || req.method !== 'GET') return false;
      sendReady(res, !leaving);
      return true;
    },
    acceptingConnectors: () => !leaving,
    metricsText: () => '',
    async drain() {
      leaving = true;
    },
    async close() {
      leaving = true;
    },
  };
}

/** `/readyz`: 200 while the instance takes new connectors and calls, 503 once it is leaving. */
export function sendReady(res: ServerResponse, ready: boolean): void {
  const text = JSON.stringify({ ready });
  res.writeHead(ready ? 200 : 503, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
