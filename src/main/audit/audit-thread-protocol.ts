// The messages between the audit writer on the connector's main thread and its store in a worker
// thread (audit-thread.ts ↔ audit-worker.ts). Every command has an id; the worker answers each in
// order and then stores the id in shared memory, so the main thread can wait for one without
// running its event loop (a flush on exit, the status view's synchronous queries).
import type { LogFields } from '../core/logger.js';
import type { AuditEntry } from './audit-row.js';
import type { AuditStoreState, UnrecordedLoss } from './audit-store.js';

export interface AuditWorkerData {
  path: string;
  reopenIntervalMs: number;
  maxQueue: number;
  retryMs: number;
  /** The writer has its own clock (tests): times come with each command instead of from Date. */
  customClock: boolean;
  /** [0]: id of the last command answered; [1]: 1 once the worker is ready, -1 if it failed. */
  shared: SharedArrayBuffer;
}

export const DONE_SLOT = 0;
export const READY_SLOT = 1;

export type AuditCommand = { id: number; nowMs: number } & (
  | { op: 'init'; state: AuditStoreState | null }
  | { op: 'write'; rows: AuditEntry[]; loss: UnrecordedLoss | null }
  | { op: 'prune'; cutoffMs: number; retentionDays: number }
  | { op: 'config'; config: Record<string, unknown> }
  | { op: 'recent'; n: number }
  | { op: 'counts'; sinceMs: number }
  | { op: 'close' }
);

export type LogLine = ['debug' | 'info' | 'warn' | 'error', string, LogFields | undefined];

export interface AuditReply {
  /** The command answered; 0 for a report of the worker's own (a retry after a busy lock). */
  id: number;
  state: AuditStoreState;
  /** The state the status view shows changed (a problem, a recovery, a loss). */
  changed: boolean;
  logs: LogLine[];
  result?: unknown;
  error?: string;
}
