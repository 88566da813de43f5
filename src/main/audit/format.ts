// One readable line per audit row, for `audit tail`.
import type { AuditRow } from './audit-row.js';

export function formatAuditRow(r: AuditRow): string {
  const parts = [r.time, String(r.seq).padStart(6), r.kind.padEnd(10)];
  switch (r.kind) {
    case 'call':
      parts.push(
        `${r.method ?? '(none)'} ${r.outcome}${r.reason ? ` ${r.reason}` : ''}`,
        `${r.durationMs} ms`,
        `in ${r.bytesIn} B out ${r.bytesOut} B`,
      );
      break;
    case 'connection':
      parts.push(`${r.event}${r.code !== null ? ` code ${r.code}` : ''}`);
      break;
    default:
      parts.push(`${r.event ?? ''} ${r.detail ?? ''}`.trim());
  }
  if (r.sessionId) parts.push(`session ${r.sessionId}`);
  return parts.join('  ');
}

/** "24h", "7d", "30m", "90s" back from now, or an ISO date/time. */
export function parseSince(text: string, now = new Date()): Date | null {
  const rel = /^(\d+)\s*(s|m|h|d)$/i.exec(text.trim());
  if (rel) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(rel[2] as string).toLowerCase() as 's'];
    return new Date(now.getTime() - Number(rel[1]) * unit);
  }
  if (!/^\d{4}-\d\d-\d\d/.test(text)) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}
