// Builds audit entries from connector events. Everything is metadata; strings that come from the
// platform (ids, method names) are restricted so that nothing else can ride along: ids are kept
// only as integers, UUIDs or the keyed hashes attach.ts makes of anything else (request-id.ts),
// method names only when they are the protocol's own.
import { ALL_METHODS, ERROR_REASONS } from '../../shared/protocol/index.js';
import type { CallCompleted } from '../core/dispatcher.js';
import type { AuditEntry } from './audit-row.js';
import { HASHED_ID, isUuid, looksLikeNhsNumber } from './request-id.js';

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

// Config section names are the connector's own keys; anything else is not recorded.
const TOKEN = /^[A-Za-z0-9_.:$/+=-]{1,64}$/;
const METHODS = new Set<string>(ALL_METHODS);
const REASONS = new Set<string>(ERROR_REASONS);
let lastSession: string | null = null;

/** Stands for an integer id that would be a patient's NHS number if it were stored. */
export const WITHHELD = '(withheld)';
/** Stands for an id that was neither an integer, a UUID nor a keyed hash (attach.ts hashes those). */
export const INVALID = '(invalid)';

function token(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  return TOKEN.test(text) ? text : INVALID;
}

/** An id as the log may hold it. Without attach.ts's key a free-form id is not recorded at all. */
function id(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) return INVALID;
    return looksLikeNhsNumber(String(value)) ? WITHHELD : String(value);
  }
  if (typeof value !== 'string') return INVALID;
  return HASHED_ID.test(value) || isUuid(value) ? value : INVALID;
}

/**
 * Session ids come once per connection from the hello result; attach.ts hands them over already
 * reduced to integer, UUID or keyed hash. Here they are only held to the id character set.
 */
function session(value: string | null): string | null {
  if (value === lastSession) return value;
  const checked = token(value);
  if (checked !== INVALID) lastSession = checked;
  return checked;
}

/** A method name the platform sent: the protocol's own, else only that it was something else. */
function method(value: string): string | null {
  if (value === '') return null;
  return METHODS.has(value) ? value : '(unknown)';
}

function reason(value: string | null): string | null {
  if (value === null) return null;
  return REASONS.has(value) ? value : INVALID;
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
    requestId: id(call.requestId),
    method: method(call.method),
    outcome: call.outcome,
    reason: reason(call.reason),
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
    sessionId: session(ev.sessionId),
    event: ev.event,
    code: typeof ev.code === 'number' && Number.isInteger(ev.code) ? ev.code : null,
  };
}

/** A configuration change: which top-level sections changed, never their values. */
export function configEntry(event: 'changed', sections: string[], time = new Date()): AuditEntry {
  const names = sections.map((s) => token(s) ?? INVALID).sort();
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
