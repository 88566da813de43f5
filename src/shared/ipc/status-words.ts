// Turns a status snapshot into the words and colour the person sees. One function serves the tray
// tooltip, the status window's state line and the diagnostics text, so they never disagree.
import type { Environment } from '../protocol/methods.js';
import type { AppStatus, EnvironmentStatus } from './status.js';

export type Tone = 'green' | 'amber' | 'red' | 'grey';
/** Each tone has its own shape too, for people who cannot tell the colours apart. */
export type Shape = 'tick' | 'ring' | 'cross' | 'pause';

export const SHAPE_FOR_TONE: Record<Tone, Shape> = { green: 'tick', amber: 'ring', red: 'cross', grey: 'pause' };

export interface StatusWords {
  tone: Tone;
  /** After "Production: " in the tooltip, e.g. "connected (23 ms)". */
  short: string;
  /** The large state line, e.g. "Connected to Production · 23 ms · since 09:14". */
  headline: string;
  /** What to do next, or null when nothing needs doing. */
  advice: string | null;
}

export const ENVIRONMENT_LABEL: Record<Environment, string> = { production: 'Production', demo: 'Demo' };
const CLOSE_WRONG_ENVIRONMENT = 4403;

export function clockTime(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function ms(latency: number | null): string {
  return latency === null ? '' : `${Math.max(1, Math.round(latency))} ms`;
}

export function describeEnvironment(s: EnvironmentStatus, now: Date = new Date()): StatusWords {
  const name = ENVIRONMENT_LABEL[s.environment];
  const since = `since ${clockTime(s.since)}`;
  switch (s.state) {
    case 'not_set_up':
      return {
        tone: 'grey',
        short: 'not set up',
        headline: `${name} is not set up`,
        advice: 'Choose Set up… to connect this computer to the platform.',
      };
    case 'paused':
      return {
        tone: 'grey',
        short: 'paused',
        headline: `${name} is paused · ${since}`,
        advice: 'Patient lookups do not work while paused. Choose Resume to connect again.',
      };
    case 'connected': {
      const latency = ms(s.latencyMs);
      if (s.sources['patient.lookup'] === 'down') {
        return {
          tone: 'amber',
          short: 'connected, patient system not reachable',
          headline: `Connected to ${name}, but the patient system is not reachable`,
          advice:
            'Lookups will fail until the patient system answers. Check that it is running and reachable from this computer.',
        };
      }
      if (s.sources['consent.store'] === 'down') {
        return {
          tone: 'amber',
          short: 'connected, document store not reachable',
          headline: `Connected to ${name}, but the document store is not reachable`,
          advice:
            'Signed consent forms cannot be filed until it is reachable. Check the folder or server is available.',
        };
      }
      return {
        tone: 'green',
        short: latency ? `connected (${latency})` : 'connected',
        headline: [`Connected to ${name}`, latency, since].filter(Boolean).join(' · '),
        advice: null,
      };
    }
    case 'connecting':
    case 'authenticating':
      return {
        tone: 'amber',
        short: s.attempt > 1 ? `reconnecting (try ${s.attempt})` : 'connecting',
        headline: `Connecting to ${name}…`,
        advice: null,
      };
    case 'backing_off': {
      const wait = s.nextAttemptAt
        ? Math.max(0, Math.ceil((Date.parse(s.nextAttemptAt) - now.getTime()) / 1000))
        : null;
      const next = wait === null ? '' : `, next in ${wait} s`;
      return {
        tone: 'amber',
        short: `reconnecting (try ${Math.max(1, s.attempt)}${next})`,
        headline: `Reconnecting to ${name} · ${since}`,
        advice:
          'The platform cannot be reached. Check this computer is online; if it is, a firewall or proxy may be blocking the connection.',
      };
    }
    case 'rejected':
      if (s.lastCloseCode === CLOSE_WRONG_ENVIRONMENT) {
        return {
          tone: 'red',
          short: 'token not accepted — open to fix',
          headline: `The token is for the other environment, not ${name}`,
          advice: `Choose Set up… and paste a token created for ${name}.`,
        };
      }
      return {
        tone: 'red',
        short: 'token not accepted — open to fix',
        headline: `The token was not accepted by ${name}`,
        advice: 'Check you copied all of it, or ask your platform contact for a new one. Choose Set up… to paste it.',
      };
    case 'update_required':
      return {
        tone: 'red',
        short: 'update required',
        headline: `${name} needs a newer Cloud Connector`,
        advice: 'Install the latest version of Cloud Connector, then start it again.',
      };
    case 'draining':
      return {
        tone: 'amber',
        short: 'stopping',
        headline: `Stopping ${name}: finishing calls in progress`,
        advice: null,
      };
    case 'stopped':
      if (s.configured && s.lastError) {
        return {
          tone: 'red',
          short: 'could not start — open to fix',
          headline: `${name} could not start`,
          advice: s.lastError,
        };
      }
      return {
        tone: 'grey',
        short: 'stopped',
        headline: `${name} is stopped`,
        advice: 'Choose Reconnect to start it again.',
      };
  }
}

const RANK: Record<Tone, number> = { green: 0, grey: 1, amber: 2, red: 3 };

/** The environments the person has set up (both rows shown when there are two). */
export function configuredEnvironments(status: AppStatus): EnvironmentStatus[] {
  return status.environments.filter((e) => e.configured);
}

/** The worse of the configured environments; grey when nothing is set up. */
export function overallTone(status: AppStatus, now: Date = new Date()): Tone {
  const envs = configuredEnvironments(status);
  if (envs.length === 0) return 'grey';
  return envs
    .map((e) => describeEnvironment(e, now).tone)
    .reduce((worst, tone) => (RANK[tone] > RANK[worst] ? tone : worst), 'green' as Tone);
}
