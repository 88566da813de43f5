// Builds audit entries from connector events. Everything is metadata; strings that come from the
// platform (ids, method names) are bounded and restricted so that nothing else can ride along.
import type { CallCompleted } from '../core/dispatcher.js';
import type { AuditEntry } from './audit-row.js';

export type CallEvent = CallCompleted & { sessionId: string | null };
export interface ConnectionEvent {
  event: 'connected' | 'disconnected' | 'rejected' | 'draining';
  sessionId: string | null;
  code?: number;
}

const EMPTY: Omit<AuditEntry, 'time' | 'kind'> = {
  sessionId: null,
  requestId: null,
  method: null,
  outcome: null,
  reason: null,
  durationMs: null,
  bytesIn: null,
  bytesOut: null,
  event: null,
  code: null,
  detail: null,
};

// Ids and method names are protocol tokens; anything else (spaces, '@', long text) is not recorded.
const TOKEN = /^[A-Za-z0-9_.:$/+=-]{1,64}$/;

function token(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  return TOKEN.test(text) ? text : '(invalid)';
}

function count(value: number): number {
  return Number.isFinite(value) && value >= 0 ? Math.round(value) : 0;
}

export function callEntry(call: CallEvent, time = new Date()): AuditEntry {
  return {
    ...EMPTY,
    time: time.toISOString(),
    kind: 'call',
    sessionId: token(call.sessionId),
    requestId: token(call.requestId),
    method: call.method === '' ? null : token(call.method),
    outcome: call.outcome,
    reason: call.reason === null ? null : token(call.reason),
    // Three decimals keep sub-millisecond calls visible and survive the REAL column unchanged.
    durationMs: Number.isFinite(call.durationMs) ? Math.max(0, Math.round(call.durationMs * 1000) / 1000) : 0,
    bytesIn: count(call.bytesIn),
    bytesOut: count(call.bytesOut),
  };
}

export function connectionEntry(ev: ConnectionEvent, time = new Date()): AuditEntry {
  return {
    ...EMPTY,
    time: time.toISOString(),
    kind: 'connection',
    sessionId: token(ev.sessionId),
    event: ev.event,
    code: typeof ev.code === 'number' && Number.isInteger(ev.code) ? ev.code : null,
  };
}

/** A configuration change: which top-level sections changed, never their values. */
export function configEntry(event: 'changed', sections: string[], time = new Date()): AuditEntry {
  const names = sections.map((s) => token(s) ?? '(invalid)').sort();
  return { ...EMPTY, time: time.toISOString(), kind: 'config', event, detail: JSON.stringify({ sections: names }) };
}

export function pruneEntry(rows: number, upToSeq: number, anchorHash: string, cutoff: string, time: Date): AuditEntry {
  return {
    ...EMPTY,
    time: time.toISOString(),
    kind: 'prune',
    event: 'pruned',
    detail: JSON.stringify({ rows, upToSeq, anchorHash, olderThan: cutoff }),
  };
}

/** Written once the log is writable again: how many rows were lost, and over which period. */
export function gapEntry(rows: number, from: string, to: string, time: Date): AuditEntry {
  return {
    ...EMPTY,
    time: time.toISOString(),
    kind: 'gap',
    event: 'rows_lost',
    detail: JSON.stringify({ rows, from, to }),
  };
}
