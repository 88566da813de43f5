// The half of the audit writer that owns the database connection: it appends batches to the
// chain (with a gap row first when rows were lost), counts rows it could not write, applies
// retention and answers the status view's queries. The same class runs on the connector's main
// thread (AuditWriter's inline mode) or in a worker thread (audit-worker.ts); its only outputs
// are its state and log lines, so both places report the same way.
import { createHash, randomBytes } from 'node:crypto';
import { proxyWithoutCredentials } from '../../shared/ipc/proxy-url.js';
import type { Logger } from '../core/logger.js';
import { appendEntries } from './append.js';
import type { AuditEntry } from './audit-row.js';
import { type AuditProblem, classifyAuditError } from './disk-errors.js';
import { gapEntry } from './entries.js';
import type { AuditDb } from './open-db.js';
import { type PruneResult, pruneOlderThan } from './prune.js';
import { type CallCounts, countsSince, type RecentCall, recentCalls } from './queries.js';

/** Rows lost and not yet recorded on the chain, and the period they cover. */
export interface UnrecordedLoss {
  rows: number;
  from: string;
  to: string;
}

/** What a store hands over when the writer moves it to another thread, and reports after each step. */
export interface AuditStoreState {
  written: number;
  lost: number;
  /** Rows handed to the store so far that are written or counted as lost (not held for a retry). */
  processed: number;
  /** Rows kept for a retry because another program holds the write lock. */
  held: number;
  problem: AuditProblem | null;
  errorCode: string | null;
  unrecordedLoss: UnrecordedLoss | null;
  lastOpenAttempt: number;
}

export interface AuditStoreOptions {
  path: string;
  open: (file: string) => AuditDb;
  logger: Logger;
  now: () => Date;
  reopenIntervalMs: number;
  /** Most rows held for a retry while the lock is busy; beyond it they are counted as lost. */
  maxQueue: number;
  /** When to try again after the lock was busy. */
  retryMs: number;
  /** Called whenever the state the status view shows changes (problem, recovery, loss). */
  onChange: () => void;
}

export class AuditStore {
  private audit: AuditDb | null = null;
  private held: AuditEntry[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private written = 0;
  private lost = 0;
  private processed = 0;
  private unrecordedLoss: UnrecordedLoss | null = null;
  private problem: AuditProblem | null = null;
  private errorCode: string | null = null;
  private lastOpenAttempt = 0;

  constructor(
    private readonly opts: AuditStoreOptions,
    carried?: AuditStoreState,
  ) {
    if (carried) {
      this.written = carried.written;
      this.lost = carried.lost;
      this.unrecordedLoss = carried.unrecordedLoss;
      this.problem = carried.problem;
      this.errorCode = carried.errorCode;
      this.lastOpenAttempt = carried.lastOpenAttempt;
    }
    this.tryOpen();
  }

  get isOpen(): boolean {
    return this.audit !== null;
  }

  state(): AuditStoreState {
    return {
      written: this.written,
      lost: this.lost,
      processed: this.processed,
      held: this.held.length,
      problem: this.problem,
      errorCode: this.errorCode,
      unrecordedLoss: this.unrecordedLoss,
      lastOpenAttempt: this.lastOpenAttempt,
    };
  }

  /** Rows the writer could not even queue (its queue was full), to be recorded as a gap. */
  noteLoss(loss: UnrecordedLoss): void {
    this.lost += loss.rows;
    this.unrecordedLoss = this.unrecordedLoss
      ? { rows: this.unrecordedLoss.rows + loss.rows, from: this.unrecordedLoss.from, to: loss.to }
      : { ...loss };
  }

  /** Appends `batch` after any rows held for a retry, in one transaction. */
  write(batch: AuditEntry[]): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const rows = this.held.length > 0 ? this.held.concat(batch) : batch;
    this.held = [];
    // Rows lost earlier are recorded as soon as the log is writable again, not only with a later
    // batch: otherwise a restart before the next call would leave a chain that verifies as whole.
    if (rows.length === 0 && !this.unrecordedLoss) return;
    if (!this.audit && !this.tryOpen()) {
      this.loseRows(rows);
      if (rows.length > 0) this.opts.onChange();
      return;
    }
    const gap = this.unrecordedLoss;
    try {
      // The chain itself says that rows are missing, and for which period.
      appendEntries(
        (this.audit as AuditDb).db,
        gap ? [gapEntry(gap.rows, gap.from, gap.to, this.opts.now()), ...rows] : rows,
      );
      if (gap) this.unrecordedLoss = null;
      this.written += rows.length + (gap ? 1 : 0);
      this.processed += rows.length;
      // One small gap row can fit where a batch cannot (a page with room on a full disk), so only
      // a written batch proves the log is writable again; otherwise the state would flap.
      if (rows.length > 0) this.recovered();
    } catch (error) {
      if (classifyAuditError(error).problem === 'busy' && rows.length <= this.opts.maxQueue) {
        // Another program holds the write lock for a moment: keep the rows and try again soon.
        this.held = rows;
        this.fail(error);
        this.retryTimer = setTimeout(() => this.write([]), this.opts.retryMs);
        this.retryTimer.unref();
        return;
      }
      this.fail(error, rows);
    }
  }

  prune(cutoff: Date, retentionDays: number): PruneResult | null {
    if (!this.audit) return null;
    this.write([]);
    try {
      const result = pruneOlderThan(this.audit, cutoff, this.opts.now());
      if (result.rows > 0) {
        this.written++;
        this.opts.logger.info('audit log retention applied', { rows: result.rows, days: retentionDays });
      }
      return result;
    } catch (error) {
      this.fail(error);
      return null;
    }
  }

  /**
   * Compares each top-level config section with the fingerprint kept from the last start and
   * returns the names that changed (all of them on the first start); null when it could not.
   * Fingerprints are salted hashes kept in the database, never values.
   */
  changedConfigSections(config: Record<string, unknown>): string[] | null {
    const db = this.audit?.db;
    if (!db) return null;
    try {
      return db
        .transaction(() => {
          const get = db.prepare('SELECT digest FROM audit_config_state WHERE name = ?');
          const put = db.prepare('INSERT OR REPLACE INTO audit_config_state (name, digest) VALUES (?, ?)');
          let salt = (get.get('$salt') as { digest: string } | undefined)?.digest;
          const first = salt === undefined;
          if (!salt) {
            salt = randomBytes(32).toString('hex');
            put.run('$salt', salt);
          }
          const names = new Set([
            ...Object.keys(config),
            ...(
              db.prepare("SELECT name FROM audit_config_state WHERE name != '$salt'").all() as Array<{ name: string }>
            ).map((r) => r.name),
          ]);
          const changed: string[] = [];
          for (const name of names) {
            const value = fingerprinted(name, config[name]);
            const digest =
              value === undefined
                ? 'absent'
                : createHash('sha256').update(salt).update(JSON.stringify(value)).digest('hex');
            const before = (get.get(name) as { digest: string } | undefined)?.digest ?? 'absent';
            if (before !== digest) changed.push(name);
            put.run(name, digest);
          }
          return first ? Object.keys(config) : changed;
        })
        .immediate();
    } catch (error) {
      this.fail(error);
      return null;
    }
  }

  recentCalls(n: number): RecentCall[] {
    this.write([]);
    return this.audit ? recentCalls(this.audit.db, n) : [];
  }

  countsSince(since: Date): CallCounts {
    this.write([]);
    return this.audit ? countsSince(this.audit.db, since) : { lookups: 0, documents: 0, errors: 0 };
  }

  /**
   * Writes what it holds, puts any loss not yet on the chain there (or, if that cannot be done,
   * in the process log: the only place left to say so), and closes the connection.
   */
  close(): void {
    this.write([]);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.loseRows(this.held);
    this.held = [];
    this.saveLossRecord();
    this.audit?.close();
    this.audit = null;
  }

  /** Closes the connection without writing anything, for a store that takes over elsewhere. */
  handOver(): AuditStoreState {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    // The next store opens its own connection at once if this one had one open.
    const state = { ...this.state(), lastOpenAttempt: this.audit ? 0 : this.lastOpenAttempt };
    this.audit?.close();
    this.audit = null;
    return state;
  }

  private saveLossRecord(): void {
    const gap = this.unrecordedLoss;
    if (!gap) return;
    if (this.audit) {
      try {
        appendEntries(this.audit.db, [gapEntry(gap.rows, gap.from, gap.to, this.opts.now())]);
        this.unrecordedLoss = null;
        this.written++;
        return;
      } catch {
        // Reported below, with what was lost.
      }
    }
    this.opts.logger.warn('audit log closed with lost rows not recorded in it', {
      rows: gap.rows,
      from: gap.from,
      to: gap.to,
    });
  }

  private tryOpen(): boolean {
    const now = Date.now();
    if (this.lastOpenAttempt !== 0 && now - this.lastOpenAttempt < this.opts.reopenIntervalMs) return false;
    this.lastOpenAttempt = now;
    try {
      this.audit = this.opts.open(this.opts.path);
      return true;
    } catch (error) {
      this.audit = null;
      this.fail(error);
      return false;
    }
  }

  private loseRows(entries: readonly AuditEntry[]): void {
    if (entries.length === 0) return;
    this.processed += entries.length;
    this.noteLoss({
      rows: entries.length,
      from: (entries[0] as AuditEntry).time,
      to: (entries[entries.length - 1] as AuditEntry).time,
    });
  }

  private fail(error: unknown, lost: readonly AuditEntry[] = []): void {
    const { problem, code } = classifyAuditError(error);
    this.loseRows(lost);
    const changed = problem !== this.problem;
    this.problem = problem;
    this.errorCode = code;
    if (changed && problem !== 'busy') {
      this.opts.logger.warn('audit log cannot be written; calls continue without it', {
        problem,
        code,
        lost: this.lost,
      });
    }
    this.opts.onChange();
  }

  private recovered(): void {
    if (this.problem === null) return;
    const wasFailing = this.problem !== 'busy';
    this.problem = null;
    this.errorCode = null;
    if (wasFailing) this.opts.logger.info('audit log writable again', { lost: this.lost });
    this.opts.onChange();
  }
}

/**
 * What a config section's fingerprint is taken of. The proxy's user name and password are left
 * out: a salted hash of a short password kept beside its salt could be guessed offline.
 */
function fingerprinted(name: string, value: unknown): unknown {
  return name === 'proxy' && typeof value === 'string' ? proxyWithoutCredentials(value) : value;
}
