// The hub's `GET /metrics`: connectors per tenant and environment, calls by method and outcome,
// call latency, failover retries, alerts and webhook deliveries, in Prometheus text format.
// Labels come from the tokens file and from connectors' hellos, never from HTTP callers, so that
// a caller cannot grow the label sets.
import { type Labels, Registry } from '../main/health/prometheus.js';
import type { AlertMonitor } from './alerts.js';
import type { ConnectorSession } from './connector-session.js';

export class HubMetrics {
  readonly registry = new Registry();
  readonly calls = this.registry.counter(
    'cc_hub_calls_total',
    'Calls made through the HTTP API, by method and outcome (ok, or the error reason the caller got).',
  );
  readonly duration = this.registry.histogram(
    'cc_hub_call_duration_seconds',
    'Time from receiving a call to answering its caller, failover included.',
  );
  readonly retries = this.registry.counter(
    'cc_hub_retries_total',
    'Calls retried on another connector, by method and why (dropped, busy, draining).',
  );
  readonly alertEvents = this.registry.counter(
    'cc_hub_alert_events_total',
    'Alerts raised (status firing) and cleared (status resolved), by kind.',
  );
  readonly webhook = this.registry.counter(
    'cc_hub_alert_webhook_deliveries_total',
    'Alert webhook deliveries, by result (delivered, failed).',
  );

  constructor(sessions: () => Iterable<ConnectorSession>, alerts: AlertMonitor) {
    this.registry.gauge(
      'cc_hub_connectors',
      'Connectors connected per tenant and environment, by state (ready takes calls, draining does not).',
      () => {
        const counts = new Map<string, { labels: Labels; ready: number; draining: number }>();
        const entry = (tenant: string, environment: string) => {
          const key = `${tenant}\u0000${environment}`;
          let e = counts.get(key);
          if (!e) {
            e = { labels: { tenant, environment }, ready: 0, draining: 0 };
            counts.set(key, e);
          }
          return e;
        };
        for (const { tenant, environment } of alerts.watched()) entry(tenant, environment);
        for (const s of sessions()) {
          if (!s.isOpen) continue;
          const e = entry(s.tenant, s.hello.environment);
          if (s.draining) e.draining++;
          else e.ready++;
        }
        return [...counts.values()].flatMap((e) => [
          [{ ...e.labels, state: 'ready' }, e.ready] as [Labels, number],
          [{ ...e.labels, state: 'draining' }, e.draining] as [Labels, number],
        ]);
      },
    );
    this.registry.gauge('cc_hub_connector_in_flight', 'Calls in flight per tenant and environment.', () => {
      const sums = new Map<string, [Labels, number]>();
      for (const s of sessions()) {
        const key = `${s.tenant}\u0000${s.hello.environment}`;
        const e = sums.get(key) ?? [{ tenant: s.tenant, environment: s.hello.environment }, 0];
        e[1] += s.inFlight;
        sums.set(key, e);
      }
      return [...sums.values()];
    });
    this.registry.gauge(
      'cc_hub_no_connector_alert',
      '1 while the tenant and environment has had no connector for longer than the alert delay.',
      () => {
        const firing = new Set(
          alerts
            .active()
            .filter((a) => a.alert === 'no_connector')
            .map((a) => `${a.tenant}\u0000${a.environment}`),
        );
        return alerts
          .watched()
          .map(({ tenant, environment }) => [
            { tenant, environment },
            firing.has(`${tenant}\u0000${environment}`) ? 1 : 0,
          ]);
      },
    );
    this.registry.gauge('cc_hub_alerts_active', 'Alerts active now, by kind.', () => {
      const active = alerts.active();
      return (['no_connector', 'source_down'] as const).map((kind) => [
        { alert: kind },
        active.filter((a) => a.alert === kind).length,
      ]);
    });
    this.registry.gauge(
      'cc_hub_source_down',
      '1 for each data source a connected connector reports down through connector.health.',
      () =>
        alerts
          .active()
          .filter((a) => a.alert === 'source_down')
          .map((a) => [
            {
              tenant: a.tenant,
              environment: a.environment,
              connector_id: a.connectorId ?? '',
              source: a.source ?? '',
            },
            1,
          ]),
    );
  }

  render(): string {
    return this.registry.render();
  }
}
