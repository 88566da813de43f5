// The status view's recent calls and today's counts, answered from the audit log (the
// controller's CallHistory interface), with the audit writer's warning when it cannot write.
import type { HourSlice } from '../../shared/ipc/day-history.js';
import type { CallRow } from '../../shared/ipc/status.js';
import type { Environment } from '../../shared/protocol/index.js';
import type { CallHistory } from '../controller/call-history.js';
import type { AuditWriter } from './audit-writer.js';
import { dayHistory } from './day-history.js';
import { openAuditDbForReading } from './open-db.js';
import type { CallCounts } from './queries.js';

export class AuditCallHistory implements CallHistory {
  constructor(
    private readonly writer: AuditWriter,
    private readonly environment: Environment,
  ) {}

  recentCalls(limit: number): CallRow[] {
    return this.writer.recentCalls(limit).map((c) => ({
      time: c.time,
      environment: this.environment,
      method: c.method ?? '',
      outcome: c.outcome ?? '',
      reason: c.reason,
      durationMs: Math.round((c.durationMs ?? 0) * 10) / 10,
    }));
  }

  countsSince(since: Date): CallCounts {
    return this.writer.countsSince(since);
  }

  warning(): { message: string; fix: string } | null {
    const w = this.writer.warning();
    return w ? { message: w.message, fix: w.fix } : null;
  }

  /** Read through a read-only connection of its own, after the writer's queue is written. */
  day(now: Date): HourSlice[] | null {
    this.writer.flush();
    let db: ReturnType<typeof openAuditDbForReading>;
    try {
      db = openAuditDbForReading(this.writer.path);
    } catch {
      return null;
    }
    try {
      return dayHistory(db, now);
    } finally {
      db.close();
    }
  }

  /** The writer belongs to the runtime, which closes it on shutdown. */
  close(): void {}
}
