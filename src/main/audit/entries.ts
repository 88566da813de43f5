// Builds audit entries from connector events. Everything is metadata; strings that come from the
// platform (ids, method names) are bounded and restricted so that nothing else can ride along.
import { ALL_METHODS, ERROR_REASONS, isValidNhsNumber } from '../../shared/protocol/index.js';
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
// Values seen on almost every call skip the pattern: this runs once per call.
const KNOWN = new Set<string>([...ALL_METHODS, ...ERROR_REASONS]);
let lastSession: string | null = null;

/** Stands for an id that would be a patient's NHS number if it were stored. */
export const WITHHELD = '(withheld)';
const NHS_SHAPE = /^[0-9]{3}-?[0-9]{3}-?[0-9]{4}$/;

function token(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) return '(invalid)';
    return looksLikeNhsNumber(String(value)) ? WITHHELD : String(value);
  }
  const text = String(value);
  if (KNOWN.has(text) || text === lastSession) return text;
  if (!TOKEN.test(text)) return '(invalid)';
  return looksLikeNhsNumber(text) ? WITHHELD : text;
}

/** A platform that numbers requests could hit a valid NHS number by chance, or on purpose. */
function looksLikeNhsNumber(text: string): boolean {
  return (text.length === 10 || text.length === 12) && NHS_SHAPE.test(text) && isValidNhsNumber(text.replace(/-/g, ''));
}

function session(value: string | null): string | null {
  const checked = token(value);
  if (checked !== '(invalid)') lastSession = checked;
  return checked;
}

function count(value: number): number {
  return Number.isFinite(value) && value >= 0 ? Math.round(value) : 0;
}

/** `time` is an ISO 8601 UTC string (the writer reuses one per millisecond). */
export function callEntry(call: CallEvent, time = new Date().toISOString()): AuditEntry {
  // Spelled out rather than spread from EMPTY: this runs once per call and spreading costs more.
  return {
    time,
    kind: 'call',
    sessionId: session(call.sessionId),
    requestId: token(call.requestId),
    method: call.method === '' ? null : token(call.method),
    outcome: call.outcome,
    reason: call.reason === null ? null : token(call.reason),
    // Three decimals keep sub-millisecond calls visible and survive the REAL column unchanged.
    durationMs: Number.isFinite(call.durationMs) ? Math.max(0, Math.round(call.durationMs * 1000) / 1000) : 0,
    bytesIn: count(call.bytesIn),
    bytesOut: count(call.bytesOut),
    event: null,
    code: null,
    detail: null,
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
