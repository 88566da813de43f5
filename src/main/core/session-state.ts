// The connector's session states and the status snapshot that the CLI, the app and /ready read.
import type { Environment, SourceState } from '../../shared/protocol/index.js';
import type { SessionState } from '../../shared/session-states.js';

export { SESSION_STATES, type SessionState } from '../../shared/session-states.js';

export interface ConnectorStatus {
  state: SessionState;
  /** ISO time the current state began. */
  since: string;
  environment: Environment;
  platformUrl: string;
  version: string;
  sessionId: string | null;
  tenant: string | null;
  latencyMs: number | null;
  /** Plain-words reason for the last disconnect or rejection, never containing secrets. */
  lastError: string | null;
  lastCloseCode: number | null;
  /** When the next connection attempt is due (backing_off, rejected, update_required). */
  nextAttemptAt: string | null;
  inFlight: number;
  sources: Record<string, SourceState>;
}
