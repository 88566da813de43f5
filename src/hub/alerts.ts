// The hub's alerts (PROTOCOL §8): a (tenant, environment) that has had no usable connector for a
// while, and a connector that reports one of its data sources down through `connector.health`.
// Each alert is raised once and cleared once; both transitions are logged and handed to `notify`
// (the webhook). The metrics read the active set.
import type { Logger } from '../main/core/logger.js';

export const NO_CONNECTOR_ALERT_MS = 60_000;

export type AlertKind = 'no_connector' | 'source_down';

export interface AlertEvent {
  alert: AlertKind;
  status: 'firing' | 'resolved';
  tenant: string;
  environment: string;
  /** For source_down: which connector and which of its sources. */
  connectorId?: string;
  connectorName?: string;
  source?: string;
  /** When the condition began (ISO). */
  since: string;
  /** When this event was made (ISO). */
  at: string;
  message: string;
}

export interface AlertSubject {
  sessionId: string;
  connectorId: string;
  name: string;
  tenant: string;
  environment: string;
}

interface PairState {
  tenant: string;
  environment: string;
  emptySince: Date | null;
  timer: NodeJS.Timeout | null;
  firing: AlertEvent | null;
}

export interface AlertMonitorOptions {
  noConnectorAfterMs: number;
  logger: Logger;
  /** Usable (open, not draining) connectors of the pair right now. */
  connectorsFor: (tenant: string, environment: string) => number;
  notify?: (event: AlertEvent) => void;
}

const SOURCE_WORDS: Record<string, string> = {
  'patient.lookup': 'patient lookup source',
  'consent.store': 'document store',
};

export class AlertMonitor {
  private readonly pairs = new Map<string, PairState>();
  private readonly sourceAlerts = new Map<string, AlertEvent>();
  private stopped = false;

  constructor(private readonly options: AlertMonitorOptions) {}

  /** Starts watching a pair (no-op if already watched) and checks it at once. */
  watch(tenant: string, environment: string): void {
    const key = pairKey(tenant, environment);
    if (!this.pairs.has(key)) {
      this.pairs.set(key, { tenant, environment, emptySince: null, timer: null, firing: null });
    }
    this.refresh(tenant, environment);
  }

  watched(): Array<{ tenant: string; environment: string }> {
    return [...this.pairs.values()].map(({ tenant, environment }) => ({ tenant, environment }));
  }

  /** Re-counts a pair's connectors after a connect, disconnect or drain. */
  refresh(tenant: string, environment: string): void {
    const pair = this.pairs.get(pairKey(tenant, environment));
    if (!pair || this.stopped) return;
    if (this.options.connectorsFor(tenant, environment) > 0) {
      if (pair.timer) clearTimeout(pair.timer);
      pair.timer = null;
      pair.emptySince = null;
      if (pair.firing) {
        const cleared = this.event(pair.firing, 'resolved', 'A connector is connected again; calls are answered.');
        pair.firing = null;
        this.options.logger.info('alert cleared: a connector is connected again', { tenant, environment });
        this.options.notify?.(cleared);
      }
      return;
    }
    if (pair.emptySince) return;
    pair.emptySince = new Date();
    pair.timer = setTimeout(() => this.raiseNoConnector(pair), this.options.noConnectorAfterMs);
    pair.timer.unref();
  }

  private raiseNoConnector(pair: PairState): void {
    pair.timer = null;
    if (!pair.emptySince || pair.firing) return;
    const forS = Math.round((Date.now() - pair.emptySince.getTime()) / 1000);
    pair.firing = {
      alert: 'no_connector',
      status: 'firing',
      tenant: pair.tenant,
      environment: pair.environment,
      since: pair.emptySince.toISOString(),
      at: new Date().toISOString(),
      message:
        `No connector has been connected for tenant ${pair.tenant}, environment ${pair.environment}, ` +
        `for ${forS} s: calls fail with 503 until one connects. Check the connector hosts and their network.`,
    };
    this.options.logger.warn('ALERT no connector for tenant and environment', {
      tenant: pair.tenant,
      environment: pair.environment,
      forS,
    });
    this.options.notify?.(pair.firing);
  }

  /** A connector's latest `connector.health`: raises for each source now down, clears those back. */
  sourceHealth(subject: AlertSubject, sources: Record<string, string>): void {
    if (this.stopped) return;
    for (const [source, state] of Object.entries(sources)) {
      const key = `${subject.sessionId}\u0000${source}`;
      const active = this.sourceAlerts.get(key);
      if (state === 'down' && !active) {
        const now = new Date().toISOString();
        const event: AlertEvent = {
          alert: 'source_down',
          status: 'firing',
          tenant: subject.tenant,
          environment: subject.environment,
          connectorId: subject.connectorId,
          connectorName: subject.name,
          source,
          since: now,
          at: now,
          message:
            `Connector "${subject.name}" reports its ${SOURCE_WORDS[source] ?? source} is not reachable; ` +
            'calls that need it fail until it is back.',
        };
        this.sourceAlerts.set(key, event);
        this.options.logger.warn('ALERT connector reports a data source down', {
          tenant: subject.tenant,
          environment: subject.environment,
          connectorId: subject.connectorId,
          source,
        });
        this.options.notify?.(event);
      } else if (state !== 'down' && active) {
        this.clearSource(key, active, 'The data source is reachable again.');
      }
    }
  }

  /** The connector went away: its source alerts end (the no-connector alert covers the rest). */
  sessionGone(sessionId: string): void {
    if (this.stopped) return;
    for (const [key, active] of this.sourceAlerts) {
      if (key.startsWith(`${sessionId}\u0000`)) {
        this.clearSource(key, active, 'The connector that reported it has disconnected.');
      }
    }
  }

  private clearSource(key: string, active: AlertEvent, message: string): void {
    this.sourceAlerts.delete(key);
    this.options.logger.info('alert cleared: data source reported up or connector gone', {
      tenant: active.tenant,
      environment: active.environment,
      connectorId: active.connectorId,
      source: active.source,
    });
    this.options.notify?.(this.event(active, 'resolved', message));
  }

  active(): AlertEvent[] {
    const noConnector = [...this.pairs.values()].flatMap((p) => (p.firing ? [p.firing] : []));
    return [...noConnector, ...this.sourceAlerts.values()];
  }

  /** Stops every timer; a hub shutting down raises no alert about its own connectors leaving. */
  close(): void {
    this.stopped = true;
    for (const pair of this.pairs.values()) if (pair.timer) clearTimeout(pair.timer);
  }

  private event(from: AlertEvent, status: AlertEvent['status'], message: string): AlertEvent {
    return { ...from, status, at: new Date().toISOString(), message };
  }
}

function pairKey(tenant: string, environment: string): string {
  return `${tenant}\u0000${environment}`;
}
