// Retention: the only code path that deletes audit rows. In one transaction it records the last
// pruned row's hash as an anchor, deletes the rows under a permit that covers exactly them, and
// appends a `prune` row naming the anchor, so verify can start from the first row kept and can
// tell an anchor written by pruning from one slipped in by hand.
import { appendInTransaction } from './append.js';
import { pruneEntry } from './entries.js';
import type { AuditDb } from './open-db.js';

export const DEFAULT_RETENTION_DAYS = 90;

export interface PruneResult {
  rows: number;
  upToSeq: number | null;
}

export function pruneOlderThan(audit: AuditDb, cutoff: Date, now = new Date()): PruneResult {
  const { db } = audit;
  const cutoffIso = cutoff.toISOString();
  return db
    .transaction((): PruneResult => {
      // A prefix of the chain: everything up to the newest row older than the cutoff.
      const last = db
        .prepare('SELECT seq, hash FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log WHERE time < ?)')
        .get(cutoffIso) as { seq: number; hash: string } | undefined;
      if (!last) return { rows: 0, upToSeq: null };
      db.prepare('INSERT INTO audit_anchor (seq, hash, pruned_at) VALUES (?, ?, ?)').run(
        last.seq,
        last.hash,
        now.toISOString(),
      );
      const deleted = audit.withPrunePermit(last.seq, () =>
        db.prepare('DELETE FROM audit_log WHERE seq <= ?').run(last.seq),
      );
      appendInTransaction(db, [pruneEntry(deleted.changes, last.seq, last.hash, cutoffIso, now)]);
      return { rows: deleted.changes, upToSeq: last.seq };
    })
    .immediate();
}

export function retentionCutoff(retentionDays: number, now = new Date()): Date {
  return new Date(now.getTime() - retentionDays * 86_400_000);
}
