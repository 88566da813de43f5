// The status window's "last 24 hours": one slice per clock hour, from the local audit log. Counts
// and durations only: no request ids, no reasons beyond what the recent-calls table already shows.
import type { Environment } from '../protocol/methods.js';

/** Worst first: the state an hour is drawn with is the worst one it spent a minute or more in. */
export const DAY_STATES = ['down', 'reconnecting', 'paused', 'connected', 'unknown'] as const;
export type DayState = (typeof DAY_STATES)[number];

export interface HourSlice {
  /** ISO start of the hour (UTC instant; the window shows it in the PC's local time). */
  start: string;
  /** The worst state the hour spent at least a minute in ("unknown": nothing recorded). */
  state: DayState;
  /** Whole minutes spent in each state within the hour (the current hour: up to now). */
  minutes: Record<DayState, number>;
  lookups: number;
  documents: number;
  errors: number;
  /** The slowest 5 % of lookups took at least this long (95th percentile), or null without lookups. */
  slowLookupMs: number | null;
}

export interface DayHistory {
  environment: Environment;
  /** False when this environment keeps no audit log (not set up): the window says so. */
  available: boolean;
  hours: HourSlice[];
}

export const DAY_STATE_WORDS: Record<DayState, string> = {
  connected: 'connected',
  reconnecting: 'reconnecting',
  down: 'down',
  paused: 'paused or stopped',
  unknown: 'not running',
};
