// One audit record and its canonical encoding. The encoding is what the hash chain covers, so it
// must be byte-for-byte stable: a fixed field order, explicit nulls, JSON for escaping.
import { hash } from 'node:crypto';

export const AUDIT_KINDS = ['call', 'connection', 'config', 'prune', 'gap'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** The chain's starting point when nothing has ever been pruned. */
export const GENESIS_HASH = '0'.repeat(64);

/** A record before it has a place in the chain. Metadata only, never params, results or secrets. */
export interface AuditEntry {
  time: string;
  kind: AuditKind;
  sessionId: string | null;
  requestId: string | null;
  method: string | null;
  outcome: string | null;
  reason: string | null;
  durationMs: number | null;
  bytesIn: number | null;
  bytesOut: number | null;
  /** connection: connected | disconnected | rejected | draining; config: changed; prune: pruned; gap: rows_lost. */
  event: string | null;
  /** WebSocket close code. */
  code: number | null;
  /** Small JSON: changed config section names, the prune summary or the gap summary. Never values. */
  detail: string | null;
}

export interface AuditRow extends AuditEntry {
  seq: number;
  hash: string;
}

/** Column names in canonical order, shared by the table, the encoder and exports. */
export const AUDIT_COLUMNS = [
  'seq',
  'time',
  'kind',
  'session_id',
  'request_id',
  'method',
  'outcome',
  'reason',
  'duration_ms',
  'bytes_in',
  'bytes_out',
  'event',
  'code',
  'detail',
  'hash',
] as const;

export type DbRow = Record<(typeof AUDIT_COLUMNS)[number], string | number | null>;

export function canonicalEncoding(seq: number, e: AuditEntry): string {
  return JSON.stringify([
    'v1',
    seq,
    e.time,
    e.kind,
    e.sessionId,
    e.requestId,
    e.method,
    e.outcome,
    e.reason,
    e.durationMs,
    e.bytesIn,
    e.bytesOut,
    e.event,
    e.code,
    e.detail,
  ]);
}

/** hash = hex SHA-256 of the UTF-8 text: previous hash (64 lower-case hex digits) ‖ canonical encoding. */
export function chainHash(prevHash: string, seq: number, e: AuditEntry): string {
  // crypto.hash is the one-shot form: several times cheaper than createHash for short inputs.
  return hash('sha256', prevHash + canonicalEncoding(seq, e), 'hex');
}

export function rowFromDb(r: DbRow): AuditRow {
  return {
    seq: r.seq as number,
    time: r.time as string,
    kind: r.kind as AuditKind,
    sessionId: r.session_id as string | null,
    requestId: r.request_id as string | null,
    method: r.method as string | null,
    outcome: r.outcome as string | null,
    reason: r.reason as string | null,
    durationMs: r.duration_ms as number | null,
    bytesIn: r.bytes_in as number | null,
    bytesOut: r.bytes_out as number | null,
    event: r.event as string | null,
    code: r.code as number | null,
    detail: r.detail as string | null,
    hash: r.hash as string,
  };
}
