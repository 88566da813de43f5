// The status window's last 24 hours, read from the audit log (opened read-only): per clock hour of
// this PC, the time spent in each connection state, lookups and documents, and how long the
// slowest 5 % of lookups took. Metadata only, as the audit log itself.
import type Database from 'better-sqlite3';
import { DAY_STATES, type DayState, type HourSlice } from '../../shared/ipc/day-history.js';
import { percentiles } from './queries.js';

/** Reconnecting for longer than this counts as down: the same 2 minutes after which the app notifies. */
export const DOWN_AFTER_MS = 2 * 60_000;

/** The connection events the connector records, as the state each one begins. */
const STATE_AFTER: Record<string, DayState> = {
  connected: 'connected',
  disconnected: 'reconnecting',
  rejected: 'down',
  draining: 'paused',
};

/** Start of each of the `hours` clock hours (local time) up to and including the current one. */
export function hourStarts(now: Date, hours = 24): Date[] {
  const current = new Date(now);
  current.setMinutes(0, 0, 0);
  const starts: Date[] = [];
  for (let i = hours - 1; i >= 0; i--) {
    const d = new Date(current);
    d.setHours(current.getHours() - i);
    starts.push(d);
  }
  return starts;
}

interface Span {
  from: number;
  to: number;
  state: DayState;
}

/** The connection's state over [from, to): from the last event before `from` and the events inside. */
function stateSpans(db: Database.Database, from: number, to: number): Span[] {
  const fromIso = new Date(from).toISOString();
  const before = db
    .prepare(
      `SELECT time, event FROM audit_log WHERE kind = 'connection' AND time < ? ORDER BY time DESC, seq DESC LIMIT 1`,
    )
    .get(fromIso) as { time: string; event: string } | undefined;
  const inside = db
    .prepare(
      `SELECT time, event FROM audit_log WHERE kind = 'connection' AND time >= ? AND time < ? ORDER BY time, seq`,
    )
    .all(fromIso, new Date(to).toISOString()) as Array<{ time: string; event: string }>;
  const events = [...(before ? [before] : []), ...inside];
  const spans: Span[] = [];
  let at = from;
  let state: DayState = 'unknown';
  let outageStart = from;
  const close = (until: number) => {
    if (until <= at) return;
    if (state !== 'reconnecting') spans.push({ from: at, to: until, state });
    else {
      // The first two minutes of an outage are reconnecting, the rest of it is down.
      const turn = outageStart + DOWN_AFTER_MS;
      if (turn <= at) spans.push({ from: at, to: until, state: 'down' });
      else if (turn >= until) spans.push({ from: at, to: until, state: 'reconnecting' });
      else spans.push({ from: at, to: turn, state: 'reconnecting' }, { from: turn, to: until, state: 'down' });
    }
    at = until;
  };
  for (const e of events) {
    const next = STATE_AFTER[e.event];
    if (!next) continue;
    const when = Date.parse(e.time);
    close(Math.max(from, when));
    // A disconnect while already reconnecting does not restart the two minutes.
    if (next === 'reconnecting' && state !== 'reconnecting') outageStart = when;
    state = next;
  }
  close(to);
  return spans;
}

function emptyMinutes(): Record<DayState, number> {
  return Object.fromEntries(DAY_STATES.map((s) => [s, 0])) as Record<DayState, number>;
}

export function dayHistory(db: Database.Database, now = new Date(), hours = 24): HourSlice[] {
  const starts = hourStarts(now, hours);
  const bounds = starts.map((d) => d.getTime());
  const end = now.getTime();
  const edges = [...bounds, bounds[bounds.length - 1] as number].map((b, i) =>
    i === bounds.length ? end : Math.min(b, end),
  );
  const ms = bounds.map(() => emptyMinutes());
  const latest: DayState[] = bounds.map(() => 'unknown');
  for (const span of stateSpans(db, bounds[0] as number, end)) {
    for (let i = 0; i < bounds.length; i++) {
      const a = Math.max(span.from, edges[i] as number);
      const b = Math.min(span.to, edges[i + 1] as number);
      if (b <= a) continue;
      (ms[i] as Record<DayState, number>)[span.state] += b - a;
      latest[i] = span.state;
    }
  }
  const counts = bounds.map(() => ({ lookups: 0, documents: 0, errors: 0, durations: [] as number[] }));
  const rows = db
    .prepare(
      `SELECT time, method, outcome, duration_ms FROM audit_log
       WHERE kind = 'call' AND time >= ? AND time < ? ORDER BY time`,
    )
    .raw()
    .iterate(new Date(bounds[0] as number).toISOString(), new Date(end + 1).toISOString()) as IterableIterator<
    [string, string | null, string | null, number | null]
  >;
  let slot = 0;
  for (const [time, method, outcome, duration] of rows) {
    const t = Date.parse(time);
    while (slot + 1 < bounds.length && t >= (bounds[slot + 1] as number)) slot++;
    const c = counts[slot];
    if (!c) continue;
    if (method === 'patient.lookup') {
      c.lookups++;
      if (duration !== null) c.durations.push(duration);
    } else if (method === 'consent.store') c.documents++;
    else continue;
    if (outcome === 'error') c.errors++;
  }
  return starts.map((start, i) => {
    const spent = ms[i] as Record<DayState, number>;
    const minutes = emptyMinutes();
    // Any time at all in a state counts as at least a minute, so that the words match the colour.
    for (const s of DAY_STATES) minutes[s] = spent[s] > 0 ? Math.max(1, Math.round(spent[s] / 60_000)) : 0;
    const c = counts[i] as (typeof counts)[number];
    return {
      start: start.toISOString(),
      state: worstState(spent, latest[i] as DayState),
      minutes,
      lookups: c.lookups,
      documents: c.documents,
      errors: c.errors,
      slowLookupMs: percentiles(c.durations.sort((a, b) => a - b)).p95,
    };
  });
}

/** The worst state held for a minute or more; else the latest one (an hour just begun, a start-up). */
function worstState(spent: Record<DayState, number>, latest: DayState): DayState {
  return DAY_STATES.find((s) => s !== 'unknown' && spent[s] >= 60_000) ?? latest;
}
