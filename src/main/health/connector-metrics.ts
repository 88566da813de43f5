// The connector's `GET /metrics`: connection state, latency, calls by method and outcome, call
// duration, connection events and data-source reachability. Metadata only, as in the audit log.
import { ALL_METHODS } from '../../shared/protocol/index.js';
import type { Connector } from '../core/connector.js';
import { SESSION_STATES } from '../core/session-state.js';
import { Registry } from './prometheus.js';

export function connectorMetrics(connector: Connector): { render(): string; detach(): void } {
  const registry = new Registry();
  const calls = registry.counter(
    'cc_connector_calls_total',
    'Calls answered, by method and outcome (ok, not_found, or the error reason sent to the platform).',
  );
  const duration = registry.histogram(
    'cc_connector_call_duration_seconds',
    'Time from receiving a call to answering it.',
  );
  const connections = registry.counter(
    'cc_connector_connection_events_total',
    'Connection events: connected, disconnected, rejected, draining.',
  );
  registry.gauge('cc_connector_connected', '1 while connected to the platform.', () => [
    [{}, connector.status().state === 'connected' ? 1 : 0],
  ]);
  registry.gauge('cc_connector_state', 'The session state: 1 for the current one.', () => {
    const state = connector.status().state;
    return SESSION_STATES.map((s) => [{ state: s }, s === state ? 1 : 0]);
  });
  registry.gauge(
    'cc_connector_latency_seconds',
    'Round trip of the last heartbeat ping (absent when not connected).',
    () => {
      const ms = connector.status().latencyMs;
      return ms === null ? [] : [[{}, ms / 1000]];
    },
  );
  registry.gauge('cc_connector_in_flight', 'Calls being worked on now.', () => [[{}, connector.status().inFlight]]);
  registry.gauge('cc_connector_source_up', '1 when the configured data source answered its last check.', () =>
    Object.entries(connector.status().sources)
      .filter(([, state]) => state !== 'unconfigured')
      .map(([source, state]) => [{ source }, state === 'up' ? 1 : 0]),
  );
  registry.gauge('cc_connector_uptime_seconds', 'Seconds since the connector started.', () => [
    [{}, connector.uptimeS],
  ]);

  const onCall = (call: { method: string; outcome: string; reason: string | null; durationMs: number }) => {
    // The method name comes from the platform: only known names become labels.
    const method = (ALL_METHODS as readonly string[]).includes(call.method) ? call.method : 'other';
    calls.inc({ method, outcome: call.outcome === 'error' ? (call.reason ?? 'error') : call.outcome });
    duration.observe({ method }, call.durationMs / 1000);
  };
  const onConnection = (event: { event: string }) => connections.inc({ event: event.event });
  connector.on('call', onCall);
  connector.on('connection', onConnection);
  return {
    render: () => registry.render(),
    detach() {
      connector.off('call', onCall);
      connector.off('connection', onConnection);
    },
  };
}
