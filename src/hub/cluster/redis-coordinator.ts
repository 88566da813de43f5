// The hub as one instance of a cluster (`--redis`): registers its sessions under its lease, routes
// each call over the sessions of every live instance (PROTOCOL §8) and forwards it one hop to the
// holder, keeps `Idempotency-Key` calls to one execution, decides alerts once for the cluster, and
// leaves cleanly on SIGTERM (not ready, goaway spread out, connectors moved, lease released).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry as MetricsRegistry } from '../../main/health/prometheus.js';
import { MAX_MESSAGE_BYTES } from '../../shared/protocol/index.js';
import type { AlertEvent } from '../alerts.js';
import type { CallOutcome, ConnectorInfo, ConnectorSession } from '../connector-session.js';
import { retryReason } from '../router.js';
import { type ClusterAlertEvent, ClusterAlerts } from './cluster-alerts.js';
import { type ClusterOptions, clusterTimings } from './cluster-options.js';
import type { CoordinatorContext, HubCoordinator, PlaneOutcome, RouteRequest } from './coordinator.js';
import { sendReady } from './coordinator.js';
import { ClusterSecret, FORWARD_PATH, Forwarder, serveForwardedCall } from './forwarding.js';
import { Idempotency } from './idempotency.js';
import { connectRedis } from './redis-client.js';
import { Registry } from './registry.js';

interface Candidate {
  sessionId: string;
  instanceId: string;
  inFlight: number;
  instanceDraining: boolean;
  call(method: string, params: unknown, waitMs: number, recordKey?: string): Promise<Attempt>;
}

/** One attempt's outcome; `reached` false when no connector can have seen the call. */
interface Attempt {
  outcome: CallOutcome;
  reached: boolean;
}

/** Attempts per call, those that reached no connector (a stale route) included. */
const MAX_HOPS = 4;

export async function startRedisCoordinator(
  options: ClusterOptions & { noConnectorAfterMs: number },
  context: CoordinatorContext,
): Promise<HubCoordinator> {
  const timings = clusterTimings(options);
  const { logger } = context;
  const instanceId = randomUUID();
  const secret = new ClusterSecret(options.secret);
  const forwarder = new Forwarder(secret);
  const redis = await connectRedis(options.redisUrl, logger);
  let advertise = options.advertiseUrl ?? '';
  const registry = new Registry(redis.client, instanceId, () => advertise, timings, context.sessions, logger);
  /** Instances a forward could not reach: skipped until their lease proves them alive again. */
  const unreachable = new Map<string, number>();
  /** Calls this instance has forwarded to a remote session and not yet had answered. */
  const forwarding = new Map<string, number>();
  /** Forwards waiting on each holder instance, aborted if its lease lapses before it answers. */
  const awaitingHolder = new Map<string, Set<AbortController>>();
  let leaving = false;
  let stopped = false;
  let lastReadOk = false;
  /** performance.now() since which every registry read has succeeded; null while they fail. */
  let freshSince: number | null = null;
  /** Source alerts this instance's monitor holds as firing (by connector and source). */
  const firingSources = new Map<string, AlertEvent>();

  const metrics = new MetricsRegistry();
  metrics.gauge('cc_hub_redis_up', '1 while this instance is connected to Redis.', () => [[{}, redis.up ? 1 : 0]]);
  metrics.gauge('cc_hub_cluster_lease_held', '1 while this instance holds its lease in the registry.', () => [
    [{}, registry.leaseHeld ? 1 : 0],
  ]);
  metrics.gauge('cc_hub_cluster_instances', 'Instances with a live lease, as this instance last read them.', () => [
    [{}, liveInstances().size + (registry.leaseHeld ? 1 : 0)],
  ]);
  const forwards = metrics.counter(
    'cc_hub_cluster_forwarded_calls_total',
    'Calls forwarded between instances: direction out (sent to the holder) or in (run for another instance), by result.',
  );

  const isLive = (id: string) => id === instanceId || liveInstances().has(id);
  const idempotency = new Idempotency(redis, instanceId, {
    ttlMs: timings.idempotencyTtlMs,
    secret: options.secret,
    instanceAlive: isLive,
  });
  const clusterAlerts = new ClusterAlerts(redis, {
    noConnectorAfterMs: options.noConnectorAfterMs,
    leaseMs: timings.leaseMs,
    deliver: (event) => context.deliverAlert(event),
    logger,
  });

  /** Other instances believed alive: lease held at the last read, or (Redis unreachable) read recently. */
  function liveInstances() {
    const now = performance.now();
    const snapshot = registry.current();
    const riding = !lastReadOk && now - snapshot.readAt < timings.outageCacheMs;
    const live = new Map(snapshot.instances);
    for (const [id, entry] of live) {
      const leased = entry.expiresAt > now || riding;
      if (id === instanceId || !leased || (unreachable.get(id) ?? 0) > now) live.delete(id);
    }
    return live;
  }

  function localSession(sessionId: string): ConnectorSession | undefined {
    for (const s of context.sessions()) if (s.sessionId === sessionId) return s;
    return undefined;
  }

  function candidates(tenant: string, environment: string, method: string): Candidate[] {
    const list: Candidate[] = [];
    for (const s of context.sessions()) {
      if (!s.isOpen || s.draining || s.tenant !== tenant || s.hello.environment !== environment) continue;
      if (!s.advertises(method)) continue;
      list.push({
        sessionId: s.sessionId,
        instanceId,
        inFlight: s.inFlight,
        instanceDraining: leaving,
        call: async (m, params, waitMs) =>
          s.isOpen
            ? { outcome: await s.call(m, params, waitMs), reached: true }
            : { outcome: { kind: 'dropped' }, reached: false },
      });
    }
    const live = liveInstances();
    for (const entry of registry.current().sessions) {
      const instance = live.get(entry.instanceId);
      if (!instance || entry.draining || entry.tenant !== tenant || entry.environment !== environment) continue;
      if (method !== 'connector.info' && !entry.methods.includes(method)) continue;
      list.push({
        sessionId: entry.sessionId,
        instanceId: entry.instanceId,
        inFlight: entry.inFlight + (forwarding.get(entry.sessionId) ?? 0),
        instanceDraining: instance.draining,
        call: (m, params, waitMs, recordKey) =>
          forward(instance.id, instance.advertise, entry.sessionId, m, params, waitMs, recordKey),
      });
    }
    return list;
  }

  async function forward(
    holder: string,
    url: string,
    sessionId: string,
    method: string,
    params: unknown,
    waitMs: number,
    recordKey?: string,
  ): Promise<Attempt> {
    forwarding.set(sessionId, (forwarding.get(sessionId) ?? 0) + 1);
    const abort = new AbortController();
    const waiting = awaitingHolder.get(holder) ?? new Set();
    awaitingHolder.set(holder, waiting.add(abort));
    try {
      const {
        outcome,
        unreachable: lost,
        reached,
      } = await forwarder.forward(
        url,
        {
          sessionId,
          method,
          params,
          waitMs,
          ...(recordKey ? { idempotencyRecord: recordKey } : {}),
        },
        abort.signal,
      );
      if (lost) unreachable.set(holder, performance.now() + timings.leaseMs);
      forwards.inc({ direction: 'out', result: lost ? 'unreachable' : reached ? outcome.kind : 'moved' });
      return { outcome, reached };
    } finally {
      waiting.delete(abort);
      if (waiting.size === 0) awaitingHolder.delete(holder);
      const left = (forwarding.get(sessionId) ?? 1) - 1;
      if (left > 0) forwarding.set(sessionId, left);
      else forwarding.delete(sessionId);
    }
  }

  /** PROTOCOL §8 over the whole cluster: instances that are leaving only when no other has one. */
  function pick(list: Candidate[], tried: ReadonlySet<string>): Candidate | null {
    let pool = list.filter((c) => !tried.has(c.sessionId));
    if (pool.some((c) => !c.instanceDraining)) pool = pool.filter((c) => !c.instanceDraining);
    if (pool.length === 0) return null;
    const least = Math.min(...pool.map((c) => c.inFlight));
    const best = pool.filter((c) => c.inFlight === least);
    return best[Math.floor(Math.random() * best.length)] ?? null;
  }

  /**
   * One call: PROTOCOL §8's single failover (after a drop, busy or draining), plus further targets
   * when an attempt certainly reached no connector (a route that moved since the last read).
   */
  async function routeOnce(
    request: RouteRequest,
    onRetry: Parameters<HubCoordinator['route']>[1],
    recordKey?: string,
  ): Promise<PlaneOutcome> {
    const tried = new Set<string>();
    let last: CallOutcome | null = null;
    let failedOver = false;
    let reread = false;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      let target = pick(candidates(request.tenant, request.environment, request.method), tried);
      if (!target && !reread && last === null) {
        // No route in the cache: read the registry once before answering 503 (a connector may have
        // just registered elsewhere). With Redis unreachable this fails at once.
        reread = true;
        await registry.read().catch(() => undefined);
        target = pick(candidates(request.tenant, request.environment, request.method), tried);
      }
      if (!target) break;
      const why = last ? retryReason(last) : null;
      if (why && !failedOver) {
        onRetry(why);
        failedOver = true;
      }
      tried.add(target.sessionId);
      if (recordKey) await idempotency.markHolder(recordKey, target.instanceId).catch(() => undefined);
      const attempt = await target.call(request.method, request.params, request.waitMs, recordKey);
      if (!attempt.reached) {
        // Read the registry again now rather than at the next poll: the session is elsewhere.
        await registry.read().catch(() => undefined);
        continue;
      }
      last = attempt.outcome;
      if (!retryReason(last) || failedOver) return last;
      if (recordKey && last.kind === 'dropped') {
        // The holder may have finished the call and kept its answer before the reply was lost:
        // that answer, rather than running the call a second time on another connector.
        const kept = await idempotency.finished(recordKey, request.params).catch(() => null);
        if (kept) return kept;
      }
    }
    return last ?? { kind: 'no_connector' };
  }

  const usable = (tenant: string, environment: string) => {
    let n = 0;
    for (const s of context.sessions()) {
      if (s.isOpen && !s.draining && s.tenant === tenant && s.hello.environment === environment) n++;
    }
    const live = liveInstances();
    for (const e of registry.current().sessions) {
      if (live.has(e.instanceId) && !e.draining && e.tenant === tenant && e.environment === environment) n++;
    }
    return n;
  };

  async function poll(): Promise<void> {
    let active: ClusterAlertEvent[] = [];
    try {
      await registry.flushChanges();
      active = await clusterAlerts.active();
      const snapshot = await registry.read();
      for (const id of unreachable.keys()) if (!snapshot.instances.has(id)) unreachable.delete(id);
      lastReadOk = true;
      freshSince ??= performance.now();
      // A holder whose lease lapsed will not answer: its calls fail over now, not at their deadline.
      // The lease alone decides (one failed forward to an instance does not abandon its other
      // calls), and only once Redis has been readable for a lease: a Redis back from an outage,
      // empty, lists no instance until each has renewed, and those are alive.
      if (performance.now() - freshSince >= timings.leaseMs) {
        for (const [holder, waiting] of awaitingHolder) {
          const leased = (snapshot.instances.get(holder)?.expiresAt ?? 0) > performance.now();
          if (!leased) for (const abort of waiting) abort.abort();
        }
      }
    } catch {
      lastReadOk = false;
      freshSince = null;
    }
    const pairs = new Map<string, { tenant: string; environment: string }>();
    for (const e of registry.current().sessions) context.watchPair(e.tenant, e.environment);
    for (const p of context.alertPairs()) pairs.set(`${p.tenant}\u0000${p.environment}`, p);
    for (const p of pairs.values()) context.refreshPair(p.tenant, p.environment);
    const liveSources = new Map<string, Record<string, string>>();
    const live = liveInstances();
    for (const e of registry.current().sessions) if (live.has(e.instanceId)) liveSources.set(e.connectorId, e.sources);
    for (const s of context.sessions()) if (s.isOpen) liveSources.set(s.hello.connectorId, s.sources);
    // A leaving instance decides no more: its webhook closes before its lease is released, and an
    // alert it won then (HSETNX) would be recorded for the cluster but delivered by no one.
    if (leaving) return;
    await clusterAlerts
      .evaluate({ fresh: lastReadOk, pairs: [...pairs.values()], usable, liveSources, active })
      .catch(() => undefined);
    // Only once this instance's sessions (their sources) are in the registry again: else another
    // instance, not seeing the source down there, would clear what this one raises.
    if (lastReadOk && registry.leaseHeld) {
      await clusterAlerts.reassert([...firingSources.values()], active).catch(() => undefined);
    }
  }

  async function renewLoop(): Promise<void> {
    while (!stopped) {
      await registry.renew().catch(() => undefined);
      await sleep(timings.renewMs);
    }
  }
  async function pollLoop(): Promise<void> {
    while (!stopped) {
      // A failure here must neither end the loop nor become an unhandled rejection (which would end the process).
      await poll().catch(() => logger.warn('cluster: registry poll failed; trying again'));
      await sleep(timings.pollMs);
    }
  }

  return {
    async start(httpUrl) {
      advertise ||= httpUrl;
      await registry.renew().catch(() => undefined);
      await poll();
      void renewLoop();
      void pollLoop();
      logger.info('cluster: joined', { instance: instanceId, advertise, leaseMs: timings.leaseMs });
    },
    sessionOpened() {
      void registry.flushChanges().catch(() => undefined);
    },
    sessionChanged() {
      void registry.flushChanges().catch(() => undefined);
    },
    sessionClosed() {
      void registry.flushChanges().catch(() => undefined);
    },
    async route(request, onRetry) {
      if (!request.idempotencyKey) return routeOnce(request, onRetry);
      const key = idempotency.recordKey(request.tenant, request.environment, request.method, request.idempotencyKey);
      return idempotency.run(key, request.params, request.waitMs, (recordKey) =>
        routeOnce(request, onRetry, recordKey),
      );
    },
    usableConnectors: usable,
    alertTransition(event: AlertEvent) {
      // No-connector alerts are decided from the registry (poll); source alerts come from the holder.
      if (event.alert !== 'source_down') return;
      const key = JSON.stringify([event.connectorId, event.source]);
      if (event.status === 'firing') firingSources.set(key, event);
      else firingSources.delete(key);
      void registry
        .flushChanges()
        .then(() => clusterAlerts.sourceTransition(event))
        .catch(() => undefined);
    },
    async connectors() {
      await registry.read().catch(() => undefined);
      const live = liveInstances();
      const local: Array<ConnectorInfo & { instance: string }> = [...context.sessions()]
        .filter((s) => s.isOpen)
        .map((s) => ({ ...s.info(), instance: instanceId }));
      const remote = registry
        .current()
        .sessions.filter((e) => live.has(e.instanceId))
        .map(({ instanceId: instance, ...info }) => ({ ...info, instance }));
      return [...local, ...remote];
    },
    async alerts(local) {
      try {
        return await clusterAlerts.active();
      } catch {
        return local.filter((a) => a.alert === 'source_down');
      }
    },
    async handleHttp(req, res, path) {
      if (path === '/readyz' && req.method === 'GET') {
        sendReady(res, !leaving);
        return true;
      }
      if (path === FORWARD_PATH) {
        await serveForwardedCall(req, res, {
          secret,
          maxBodyBytes: MAX_MESSAGE_BYTES + 64 * 1024,
          session: localSession,
          onOutcome: async (request, outcome) => {
            forwards.inc({ direction: 'in', result: outcome.kind });
            if (request.idempotencyRecord)
              await idempotency.complete(request.idempotencyRecord, request.params, outcome);
          },
        });
        return true;
      }
      return false;
    },
    acceptingConnectors: () => !leaving,
    metricsText: () => metrics.render(),
    async drain() {
      if (leaving) return;
      leaving = true;
      logger.info('cluster: leaving; not ready, then goaway spread over time');
      await registry.markDraining().catch(() => undefined);
      await sleep(timings.notReadyLeadMs);
      const held = [...context.sessions()].filter((s) => s.isOpen);
      const step = held.length > 1 ? timings.goawaySpreadMs / (held.length - 1) : 0;
      held.forEach((s, i) => {
        setTimeout(() => context.goaway(s), Math.round(i * step)).unref();
      });
      const until = performance.now() + timings.drainMs;
      while ([...context.sessions()].some((s) => s.isOpen) && performance.now() < until) await sleep(50);
    },
    async close() {
      leaving = true;
      stopped = true;
      if (redis.up) await registry.release().catch(() => undefined);
      forwarder.close();
      await redis.close();
    },
  };
}
