// Export formats for `audit export`: CSV (one header line, RFC 4180 quoting) and JSON Lines.
import { AUDIT_COLUMNS, type AuditRow } from './audit-row.js';

export type ExportFormat = 'csv' | 'jsonl';

export function toDbShape(r: AuditRow): Record<(typeof AUDIT_COLUMNS)[number], string | number | null> {
  return {
    seq: r.seq,
    time: r.time,
    kind: r.kind,
    session_id: r.sessionId,
    request_id: r.requestId,
    method: r.method,
    outcome: r.outcome,
    reason: r.reason,
    duration_ms: r.durationMs,
    bytes_in: r.bytesIn,
    bytes_out: r.bytesOut,
    event: r.event,
    code: r.code,
    detail: r.detail,
    hash: r.hash,
  };
}

export function csvHeader(): string {
  return AUDIT_COLUMNS.join(',');
}

export function csvLine(r: AuditRow): string {
  const shaped = toDbShape(r);
  return AUDIT_COLUMNS.map((c) => csvField(shaped[c])).join(',');
}

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function jsonLine(r: AuditRow): string {
  return JSON.stringify(toDbShape(r));
}

/** Writes every row through `write`, returning the number of rows. */
export function exportRows(rows: Iterable<AuditRow>, format: ExportFormat, write: (line: string) => void): number {
  let n = 0;
  if (format === 'csv') write(csvHeader());
  for (const r of rows) {
    write(format === 'csv' ? csvLine(r) : jsonLine(r));
    n++;
  }
  return n;
}
