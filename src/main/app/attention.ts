// When to tell the person without being asked (UX.md): a Windows notification once an environment
// has been red or amber for 2 minutes, and one when it recovers; never more than one of each per
// incident, and after a problem notification no second one for the same environment within 30
// minutes, so a connection that keeps dropping cannot become a storm. Paused and not set up are not
// problems. Pure: the shell feeds it every status and a clock.
import type { AppStatus } from '../../shared/ipc/status.js';
import { describeEnvironment, ENVIRONMENT_LABEL } from '../../shared/ipc/status-words.js';
import type { Environment } from '../../shared/protocol/index.js';
import { stateWords } from './tray-menu.js';

export const ATTENTION_AFTER_MS = 2 * 60_000;
export const PROBLEM_NOTE_COOLDOWN_MS = 30 * 60_000;

export interface AttentionNote {
  environment: Environment;
  kind: 'problem' | 'recovered';
  title: string;
  body: string;
}

interface Incident {
  /** When the environment stopped being green; null while green or not applicable. */
  badSince: number | null;
  /** A problem notification was shown for the incident under way. */
  notified: boolean;
  lastProblemNoteAt: number | null;
}

export class AttentionPolicy {
  private readonly incidents = new Map<Environment, Incident>();

  constructor(
    private readonly afterMs = ATTENTION_AFTER_MS,
    private readonly cooldownMs = PROBLEM_NOTE_COOLDOWN_MS,
  ) {}

  /** The notifications due now (usually none). */
  update(status: AppStatus, now: number): AttentionNote[] {
    const notes: AttentionNote[] = [];
    for (const env of status.environments) {
      const incident = this.incidents.get(env.environment) ?? {
        badSince: null,
        notified: false,
        lastProblemNoteAt: null,
      };
      this.incidents.set(env.environment, incident);
      const words = describeEnvironment(env, new Date(now));
      const name = ENVIRONMENT_LABEL[env.environment];
      if (!env.configured || words.tone === 'grey') {
        // Paused or not set up: whatever was under way is over, and needs no word.
        incident.badSince = null;
        incident.notified = false;
        continue;
      }
      if (words.tone === 'green') {
        if (incident.notified) {
          notes.push({
            environment: env.environment,
            kind: 'recovered',
            title: `${name} is connected again`,
            body: 'Cloud Connector reaches the platform again: patient lookups work.',
          });
        }
        incident.badSince = null;
        incident.notified = false;
        continue;
      }
      incident.badSince ??= now;
      const due = now - incident.badSince >= this.afterMs;
      const cooled = incident.lastProblemNoteAt === null || now - incident.lastProblemNoteAt >= this.cooldownMs;
      if (due && !incident.notified && cooled) {
        incident.notified = true;
        incident.lastProblemNoteAt = now;
        notes.push({
          environment: env.environment,
          kind: 'problem',
          title: `${name}: ${stateWords(env, new Date(now))}`,
          body: problemBody(env.state),
        });
      }
    }
    return notes;
  }
}

function problemBody(state: string): string {
  if (state === 'rejected') {
    return 'The platform does not accept the connection token: patient lookups will fail. Open for details.';
  }
  if (state === 'update_required') {
    return 'The platform needs a newer Cloud Connector: patient lookups will fail. Open for details.';
  }
  if (state === 'connected') {
    return 'Cloud Connector is connected, but a system it reads from is not answering. Open for details.';
  }
  return "Cloud Connector can't reach the platform: patient lookups will fail. Open for details.";
}
