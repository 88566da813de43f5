// The status view's "recent calls and counts today". The audit log answers these when it is
// available; InMemoryCallHistory is the fallback, fed by the connector's 'call' events (metadata only).
import type { HourSlice } from '../../shared/ipc/day-history.js';
import type { CallCounts, CallRow } from '../../shared/ipc/status.js';
import type { Environment } from '../../shared/protocol/index.js';
import type { Connector, ConnectorEvents } from '../core/connector.js';

export interface CallHistory {
  /** Newest first, at most `limit`. */
  recentCalls(limit: number): CallRow[];
  countsSince(since: Date): CallCounts;
  /** The last 24 clock hours, or null when there is no audit log to read them from. */
  day(now: Date): HourSlice[] | null;
  /** A problem the person should see (e.g. the audit log cannot be written), or null. */
  warning(): { message: string; fix: string } | null;
  close(): void;
}

export function countCalls(rows: Iterable<Pick<CallRow, 'method' | 'outcome'>>): CallCounts {
  const counts: CallCounts = { lookups: 0, documents: 0, errors: 0 };
  for (const row of rows) {
    if (row.method === 'patient.lookup') counts.lookups++;
    else if (row.method === 'consent.store') counts.documents++;
    if (row.outcome === 'error') counts.errors++;
  }
  return counts;
}

export class InMemoryCallHistory implements CallHistory {
  private readonly rows: CallRow[] = [];
  private readonly listener: (call: ConnectorEvents['call'][0]) => void;

  constructor(
    private readonly connector: Connector,
    private readonly environment: Environment,
    private readonly keep = 5_000,
  ) {
    this.listener = (call) => {
      // Copy the metadata fields one by one: nothing else from the event is kept.
      this.rows.push({
        time: new Date().toISOString(),
        environment: this.environment,
        method: call.method,
        outcome: call.outcome,
        reason: call.reason,
        durationMs: Math.round(call.durationMs * 10) / 10,
      });
      if (this.rows.length > this.keep) this.rows.splice(0, this.rows.length - this.keep);
    };
    connector.on('call', this.listener);
  }

  recentCalls(limit: number): CallRow[] {
    return this.rows.slice(-limit).reverse();
  }

  countsSince(since: Date): CallCounts {
    const from = since.toISOString();
    return countCalls(this.rows.filter((r) => r.time >= from && r.method !== 'connector.info'));
  }

  warning(): null {
    return null;
  }

  day(): null {
    return null;
  }

  close(): void {
    this.connector.off('call', this.listener);
  }
}
