// Status snapshots for the pure-function tests: one environment in a given state, or both.
import type { AppStatus, EnvironmentStatus } from '../../src/shared/ipc/status.js';

export const NOW = new Date('2026-03-02T09:30:00.000Z');

export function env(
  environment: 'demo' | 'production',
  state: EnvironmentStatus['state'],
  extra: Partial<EnvironmentStatus> = {},
): EnvironmentStatus {
  return {
    environment,
    configured: state !== 'not_set_up',
    paused: state === 'paused',
    state,
    since: '2026-03-02T09:14:00.000Z',
    latencyMs: state === 'connected' ? 23 : null,
    platformUrl: state === 'not_set_up' ? null : 'wss://platform.example/connector/v1',
    tenant: state === 'connected' ? 'acme' : null,
    lastError: null,
    lastCloseCode: null,
    nextAttemptAt: null,
    attempt: 0,
    sources: state === 'connected' ? { 'patient.lookup': 'up', 'consent.store': 'unconfigured' } : {},
    ...extra,
  };
}

export function app(production: EnvironmentStatus, demo?: EnvironmentStatus, startAtLogin = true): AppStatus {
  return {
    version: '1.2.3',
    environments: [production, demo ?? env('demo', 'not_set_up')],
    warnings: [],
    startAtLogin,
  };
}

/** Every state the tray distinguishes, as (name, production status). */
export const STATES: Array<[string, EnvironmentStatus, 'green' | 'amber' | 'red' | 'grey', string]> = [
  ['connected', env('production', 'connected'), 'green', 'connected (23 ms)'],
  ['connecting', env('production', 'connecting', { attempt: 1 }), 'amber', 'connecting'],
  ['authenticating', env('production', 'authenticating', { attempt: 1 }), 'amber', 'connecting'],
  [
    'reconnecting',
    env('production', 'backing_off', { attempt: 3, nextAttemptAt: new Date(NOW.getTime() + 8_000).toISOString() }),
    'amber',
    'reconnecting (try 3, next in 8 s)',
  ],
  ['token rejected', env('production', 'rejected', { lastCloseCode: 4401 }), 'red', 'token not accepted — open to fix'],
  [
    'wrong environment',
    env('production', 'rejected', { lastCloseCode: 4403 }),
    'red',
    'token not accepted — open to fix',
  ],
  ['update required', env('production', 'update_required', { lastCloseCode: 4426 }), 'red', 'update required'],
  [
    'data source down',
    env('production', 'connected', { sources: { 'patient.lookup': 'down' } }),
    'amber',
    'connected, patient system not reachable',
  ],
  ['paused', env('production', 'paused'), 'grey', 'paused'],
  [
    'could not start',
    env('production', 'stopped', { lastError: 'caFile: file not found' }),
    'red',
    'could not start — open to fix',
  ],
  ['draining', env('production', 'draining'), 'amber', 'stopping'],
];
