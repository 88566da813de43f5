// Read-side queries over the audit log, shared by the CLI and the status view.
import type Database from 'better-sqlite3';
import { type AuditRow, type DbRow, rowFromDb } from './audit-row.js';

export function tail(db: Database.Database, n: number): AuditRow[] {
  const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?').all(Math.max(0, n)) as DbRow[];
  return rows.reverse().map(rowFromDb);
}

/** Rows after `afterSeq` (for `tail --follow`), oldest first. */
export function rowsAfter(db: Database.Database, afterSeq: number, limit = 1000): AuditRow[] {
  return (db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as DbRow[]).map(
    rowFromDb,
  );
}

export function* rowsSince(db: Database.Database, since: Date): Generator<AuditRow> {
  const it = db.prepare('SELECT * FROM audit_log WHERE time >= ? ORDER BY seq').iterate(since.toISOString());
  for (const r of it as IterableIterator<DbRow>) yield rowFromDb(r);
}

export interface RecentCall {
  time: string;
  method: string | null;
  outcome: string | null;
  reason: string | null;
  durationMs: number | null;
}

export function recentCalls(db: Database.Database, n: number): RecentCall[] {
  return db
    .prepare(
      `SELECT time, method, outcome, reason, duration_ms AS durationMs FROM audit_log
       WHERE kind = 'call' ORDER BY seq DESC LIMIT ?`,
    )
    .all(Math.max(0, n)) as RecentCall[];
}

export interface CallCounts {
  lookups: number;
  documents: number;
  errors: number;
}

/** For "today's counts" in the status view: lookups, documents, errors (connector.info not counted). */
export function countsSince(db: Database.Database, since: Date): CallCounts {
  return db
    .prepare(
      `SELECT coalesce(sum(method = 'patient.lookup'), 0) AS lookups,
         coalesce(sum(method = 'consent.store'), 0) AS documents,
         coalesce(sum(outcome = 'error'), 0) AS errors
       FROM audit_log WHERE kind = 'call' AND coalesce(method, '') != 'connector.info' AND time >= ?`,
    )
    .get(since.toISOString()) as CallCounts;
}

export interface DurationStats {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface AuditStats {
  since: string;
  calls: number;
  byMethod: Array<{ method: string; outcome: string; count: number }>;
  durations: Array<{ method: string } & DurationStats>;
  errorsByReason: Array<{ reason: string; count: number }>;
  connections: Array<{ event: string; count: number }>;
}

export function stats(db: Database.Database, since: Date): AuditStats {
  const at = since.toISOString();
  const byMethod = db
    .prepare(
      `SELECT coalesce(method, '(none)') AS method, outcome, count(*) AS count FROM audit_log
       WHERE kind = 'call' AND time >= ? GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .all(at) as AuditStats['byMethod'];
  const methods = [...new Set(byMethod.map((r) => r.method))];
  const durationsOf = db.prepare(
    `SELECT duration_ms AS d FROM audit_log WHERE kind = 'call' AND coalesce(method, '(none)') = ? AND time >= ?
     ORDER BY duration_ms`,
  );
  const durations = methods.map((method) => ({
    method,
    ...percentiles((durationsOf.all(method, at) as Array<{ d: number }>).map((r) => r.d)),
  }));
  const errorsByReason = db
    .prepare(
      `SELECT coalesce(reason, '(none)') AS reason, count(*) AS count FROM audit_log
       WHERE kind = 'call' AND outcome = 'error' AND time >= ? GROUP BY 1 ORDER BY 2 DESC, 1`,
    )
    .all(at) as AuditStats['errorsByReason'];
  const connections = db
    .prepare(
      `SELECT event, count(*) AS count FROM audit_log WHERE kind = 'connection' AND time >= ?
       GROUP BY 1 ORDER BY 1`,
    )
    .all(at) as AuditStats['connections'];
  return {
    since: at,
    calls: byMethod.reduce((n, r) => n + r.count, 0),
    byMethod,
    durations,
    errorsByReason,
    connections,
  };
}

/** Nearest-rank percentiles of an ascending list. */
export function percentiles(sorted: readonly number[]): DurationStats {
  const pick = (p: number) =>
    sorted.length === 0
      ? null
      : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null);
  return { count: sorted.length, p50: pick(50), p95: pick(95), p99: pick(99) };
}
