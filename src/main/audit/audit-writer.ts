// The connector's audit writer. Calls hand it an entry and return at once; rows are written in
// batches (one transaction per batch) from a timer, never on the call path. If the disk is full
// or read-only, the batch is counted as lost, a warning is kept for the status view and one
// process-log line is written per change of state; calls carry on regardless.
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { proxyWithoutCredentials } from '../../shared/ipc/proxy-url.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { appendEntries } from './append.js';
import type { AuditEntry } from './audit-row.js';
import { type AuditProblem, type AuditWarningText, classifyAuditError, describeAuditProblem } from './disk-errors.js';
import { type CallEvent, type ConnectionEvent, callEntry, configEntry, connectionEntry, gapEntry } from './entries.js';
import { type AuditDb, openAuditDbForWriting } from './open-db.js';
import { DEFAULT_RETENTION_DAYS, type PruneResult, pruneOlderThan, retentionCutoff } from './prune.js';
import { type CallCounts, countsSince, type RecentCall, recentCalls } from './queries.js';

export interface AuditWriterOptions {
  path: string;
  retentionDays?: number;
  logger?: Logger;
  /** Longest a row waits before its batch is written. */
  flushIntervalMs?: number;
  /** A batch this big is written on the next turn of the event loop. */
  maxBatch?: number;
  /** Rows held in memory at most; beyond it new rows are counted as lost. */
  maxQueue?: number;
  /** How often to try opening the database again after it could not be opened. */
  reopenIntervalMs?: number;
  pruneIntervalMs?: number;
  now?: () => Date;
  /** Opens the database; tests pass one that limits its size to simulate a full disk. */
  open?: (file: string) => AuditDb;
}

export interface AuditStatus {
  path: string;
  /** ok: rows are being written; failing: the last write or open failed; closed: stopped. */
  state: 'ok' | 'failing' | 'closed';
  written: number;
  lost: number;
  queued: number;
  problem: AuditProblem | null;
  /** The SQLite or system error code of the last failure, for "Details". */
  errorCode: string | null;
  /** What the status view shows, if anything. */
  warning: AuditWarning | null;
}

export interface AuditWarning extends AuditWarningText {
  code: 'audit_unwritable' | 'audit_rows_lost';
}

export interface AuditWriterEvents {
  status: [AuditStatus];
}

export class AuditWriter extends EventEmitter<AuditWriterEvents> {
  readonly path: string;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly opts: Required<Omit<AuditWriterOptions, 'path' | 'logger' | 'now' | 'open'>>;
  private readonly open: (file: string) => AuditDb;
  private audit: AuditDb | null = null;
  private queue: AuditEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private lastOpenAttempt = 0;
  private written = 0;
  private lost = 0;
  /** Rows lost since the last gap record, and when the first of them happened. */
  private unrecordedLoss: { rows: number; from: string; to: string } | null = null;
  private problem: AuditProblem | null = null;
  private errorCode: string | null = null;
  private closed = false;
  private readonly onExit = () => this.flush();
  private readonly customClock: boolean;
  private lastMs = -1;
  private lastIso = '';

  constructor(options: AuditWriterOptions) {
    super();
    this.path = options.path;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.customClock = options.now !== undefined;
    this.open = options.open ?? ((file) => openAuditDbForWriting(file));
    this.opts = {
      retentionDays: options.retentionDays ?? DEFAULT_RETENTION_DAYS,
      flushIntervalMs: options.flushIntervalMs ?? 100,
      maxBatch: options.maxBatch ?? 2_000,
      maxQueue: options.maxQueue ?? 100_000,
      reopenIntervalMs: options.reopenIntervalMs ?? 30_000,
      pruneIntervalMs: options.pruneIntervalMs ?? 6 * 3_600_000,
    };
    this.tryOpen();
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), this.opts.pruneIntervalMs).unref();
    // better-sqlite3 is synchronous, so rows still queued can be saved even while the process exits.
    process.on('exit', this.onExit);
  }

  recordCall(call: CallEvent): void {
    this.record(callEntry(call, this.isoNow()));
  }

  recordConnection(event: ConnectionEvent): void {
    this.record(connectionEntry(event, this.now()));
  }

  /** Records which configuration sections changed (names only; the caller compared the values). */
  recordConfigChange(sections: string[]): void {
    if (sections.length > 0) this.record(configEntry('changed', sections, this.now()));
  }

  /**
   * Compares each top-level config section with the fingerprint kept from the last start and
   * records which changed. Fingerprints are salted hashes kept in the database, never values.
   */
  recordConfigState(config: Record<string, unknown>): void {
    const db = this.audit?.db;
    if (!db) return;
    try {
      const changed = db
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
      if (changed.length > 0) this.record(configEntry('changed', changed, this.now()));
    } catch (error) {
      this.fail(error);
    }
  }

  /** Writes everything queued now, synchronously. */
  flush(): void {
    this.clearFlushTimers();
    // Rows lost earlier are recorded as soon as the log is writable again, not only with a later
    // batch: otherwise a restart before the next call would leave a chain that verifies as whole.
    if (this.closed || (this.queue.length === 0 && !this.unrecordedLoss)) return;
    if (!this.audit && !this.tryOpen()) {
      this.loseQueue();
      return;
    }
    const batch = this.queue;
    this.queue = [];
    const gap = this.unrecordedLoss;
    try {
      // The chain itself says that rows are missing, and for which period.
      appendEntries(
        (this.audit as AuditDb).db,
        gap ? [gapEntry(gap.rows, gap.from, gap.to, this.now()), ...batch] : batch,
      );
      if (gap) this.unrecordedLoss = null;
      this.written += batch.length + (gap ? 1 : 0);
      // One small gap row can fit where a batch cannot (a page with room on a full disk), so only
      // a written batch proves the log is writable again; otherwise the state would flap.
      if (batch.length > 0) this.recovered();
    } catch (error) {
      if (classifyAuditError(error).problem === 'busy' && this.queue.length + batch.length <= this.opts.maxQueue) {
        // Another program holds the write lock for a moment: keep the rows and try again soon.
        this.queue = batch.concat(this.queue);
        this.fail(error);
        this.schedule();
        return;
      }
      this.fail(error, batch);
    }
  }

  /** Applies retention now; also runs at start and every few hours. */
  prune(): PruneResult | null {
    if (!this.audit) return null;
    this.flush();
    try {
      const result = pruneOlderThan(this.audit, retentionCutoff(this.opts.retentionDays, this.now()), this.now());
      if (result.rows > 0) {
        this.written++;
        this.logger.info('audit log retention applied', { rows: result.rows, days: this.opts.retentionDays });
      }
      return result;
    } catch (error) {
      this.fail(error);
      return null;
    }
  }

  status(): AuditStatus {
    return {
      path: this.path,
      state: this.closed ? 'closed' : this.problem && this.problem !== 'busy' ? 'failing' : 'ok',
      written: this.written,
      lost: this.lost,
      queued: this.queue.length,
      problem: this.problem,
      errorCode: this.errorCode,
      warning: this.warning(),
    };
  }

  /** One warning for the status view: the current problem, or rows lost earlier. */
  warning(): AuditWarning | null {
    const lost = `${this.lost} audit record${this.lost === 1 ? '' : 's'}`;
    if (this.problem && this.problem !== 'busy') {
      const text = describeAuditProblem(this.problem, this.path);
      return { code: 'audit_unwritable', message: `${text.message} ${lost} not written so far.`, fix: text.fix };
    }
    if (this.lost > 0) {
      return {
        code: 'audit_rows_lost',
        message: `${lost} could not be written earlier; the audit log is being written again.`,
        fix: 'No action is needed unless this happens again; the process log says when and why.',
      };
    }
    return null;
  }

  /** The last `n` calls, newest first, for the status view (rows still queued are written first). */
  recentCalls(n = 50): RecentCall[] {
    this.flush();
    return this.audit ? recentCalls(this.audit.db, n) : [];
  }

  countsSince(since: Date): CallCounts {
    this.flush();
    return this.audit ? countsSince(this.audit.db, since) : { lookups: 0, documents: 0, errors: 0 };
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.clearFlushTimers();
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    process.off('exit', this.onExit);
    this.noteLoss(this.queue);
    this.queue = [];
    this.saveLossRecord();
    this.audit?.close();
    this.audit = null;
  }

  /**
   * At close: one more try to put the loss on the chain (flush may have left it because the
   * lock was busy); if that cannot be done, the process log is the only place left to say so.
   */
  private saveLossRecord(): void {
    const gap = this.unrecordedLoss;
    if (!gap) return;
    if (this.audit) {
      try {
        appendEntries(this.audit.db, [gapEntry(gap.rows, gap.from, gap.to, this.now())]);
        this.unrecordedLoss = null;
        this.written++;
        return;
      } catch {
        // Reported below, with what was lost.
      }
    }
    this.logger.warn('audit log closed with lost rows not recorded in it', {
      rows: gap.rows,
      from: gap.from,
      to: gap.to,
    });
  }

  /** The current time as ISO text, formatted once per millisecond however many calls end in it. */
  private isoNow(): string {
    if (this.customClock) return this.now().toISOString();
    const ms = Date.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  private record(entry: AuditEntry): void {
    if (this.closed || this.queue.length >= this.opts.maxQueue) {
      this.noteLoss([entry]);
      return;
    }
    this.queue.push(entry);
    this.schedule();
  }

  private schedule(): void {
    if (this.queue.length >= this.opts.maxBatch) {
      this.immediate ??= setImmediate(() => {
        this.immediate = null;
        this.flush();
      });
      return;
    }
    if (!this.timer && !this.immediate) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.opts.flushIntervalMs);
      this.timer.unref();
    }
  }

  private clearFlushTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  private tryOpen(): boolean {
    const now = Date.now();
    if (this.lastOpenAttempt !== 0 && now - this.lastOpenAttempt < this.opts.reopenIntervalMs) return false;
    this.lastOpenAttempt = now;
    try {
      this.audit = this.open(this.path);
      return true;
    } catch (error) {
      this.audit = null;
      this.fail(error);
      return false;
    }
  }

  private loseQueue(): void {
    if (this.queue.length === 0) return;
    this.noteLoss(this.queue);
    this.queue = [];
    this.emitStatus();
  }

  private noteLoss(entries: readonly AuditEntry[]): void {
    if (entries.length === 0) return;
    this.lost += entries.length;
    const from = (entries[0] as AuditEntry).time;
    const to = (entries[entries.length - 1] as AuditEntry).time;
    this.unrecordedLoss = this.unrecordedLoss
      ? { rows: this.unrecordedLoss.rows + entries.length, from: this.unrecordedLoss.from, to }
      : { rows: entries.length, from, to };
  }

  private fail(error: unknown, lost: readonly AuditEntry[] = []): void {
    const { problem, code } = classifyAuditError(error);
    this.noteLoss(lost);
    const changed = problem !== this.problem;
    this.problem = problem;
    this.errorCode = code;
    if (changed && problem !== 'busy') {
      this.logger.warn('audit log cannot be written; calls continue without it', {
        problem,
        code,
        lost: this.lost,
      });
    }
    this.emitStatus();
  }

  private recovered(): void {
    if (this.problem === null) return;
    const wasFailing = this.problem !== 'busy';
    this.problem = null;
    this.errorCode = null;
    if (wasFailing) this.logger.info('audit log writable again', { lost: this.lost });
    this.emitStatus();
  }

  private emitStatus(): void {
    this.emit('status', this.status());
  }
}

/**
 * What a config section's fingerprint is taken of. The proxy's user name and password are left
 * out: a salted hash of a short password kept beside its salt could be guessed offline.
 */
function fingerprinted(name: string, value: unknown): unknown {
  return name === 'proxy' && typeof value === 'string' ? proxyWithoutCredentials(value) : value;
}
