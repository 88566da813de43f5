// What `GET /ready` answers: ready only when connected to the platform and every configured data
// source is up; otherwise the reason, in plain words, for the person reading a watchdog's log.
import type { ConnectorStatus } from '../core/session-state.js';

export interface Readiness {
  ready: boolean;
  reason: string;
}

const SOURCE_WORDS: Record<string, string> = {
  'patient.lookup': 'the patient lookup source',
  'consent.store': 'the document store',
};

export function readiness(status: ConnectorStatus): Readiness {
  const last = status.lastError ? ` Last problem: ${status.lastError}` : '';
  switch (status.state) {
    case 'stopped':
      return { ready: false, reason: 'Not ready: the connector is stopped.' };
    case 'connecting':
    case 'authenticating':
      return { ready: false, reason: `Not ready: connecting to the platform.${last}` };
    case 'backing_off':
      return {
        ready: false,
        reason: `Not ready: not connected to the platform; trying again${
          status.nextAttemptAt ? ` at ${status.nextAttemptAt}` : ' shortly'
        }.${last}`,
      };
    case 'rejected':
      return {
        ready: false,
        reason: 'Not ready: the platform rejected the token (unknown, revoked, expired or for the other environment).',
      };
    case 'update_required':
      return { ready: false, reason: 'Not ready: the platform requires a newer connector version.' };
    case 'draining':
      return { ready: false, reason: 'Not ready: shutting down, finishing the calls in flight.' };
    case 'connected':
      break;
  }
  const down = Object.entries(status.sources)
    .filter(([, state]) => state === 'down')
    .map(([method]) => SOURCE_WORDS[method] ?? method);
  if (down.length > 0) {
    return { ready: false, reason: `Not ready: connected, but ${down.join(' and ')} cannot be reached.` };
  }
  return { ready: true, reason: 'Ready: connected to the platform and every configured data source is up.' };
}
