// The connector's audit writer. Calls hand it an entry and return at once; rows are written in
// batches (one transaction per batch) from a timer, never on the call path. If the disk is full
// or read-only, the batch is counted as lost, a warning is kept for the status view and one
// process-log line is written per change of state; calls carry on regardless.
//
// The writing itself (hashing rows onto the chain, the SQLite insert) is done by an AuditStore:
// on the main thread while the connector is quiet, and in a worker thread with its own
// connection once a batch of `threadAfterBatch` rows shows a rate at which those few
// microseconds a row add up to pauses of the event loop (docs/performance.md, "Audit log"). A
// worker costs about 12 MB of memory, which an idle connector does not need to spend.
import { EventEmitter } from 'node:events';
import { type Logger, silentLogger } from '../core/logger.js';
import type { AuditEntry } from './audit-row.js';
import { AuditStore, type AuditStoreState, type UnrecordedLoss } from './audit-store.js';
import { AuditThread, auditWorkerFile } from './audit-thread.js';
import { type AuditProblem, type AuditWarningText, describeAuditProblem } from './disk-errors.js';
import { type CallEvent, type ConnectionEvent, callEntry, configEntry, connectionEntry } from './entries.js';
import { type AuditDb, openAuditDbForWriting } from './open-db.js';
import { DEFAULT_RETENTION_DAYS, type PruneResult, retentionCutoff } from './prune.js';
import type { CallCounts, RecentCall } from './queries.js';

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
  /** Opens the database; tests pass one that limits its size to simulate a full disk. Such a
   * function cannot be handed to another thread, so the writer then stays on the main thread. */
  open?: (file: string) => AuditDb;
  /**
   * Where rows are written: `auto` (default) on the main thread until a batch reaches
   * `threadAfterBatch` rows, then in a worker thread; `always` in a worker from the start;
   * `never` on the main thread. Without a worker script (the Electron app's bundle), `never`.
   */
  thread?: 'auto' | 'always' | 'never';
  /** Rows in one batch that move an `auto` writer to its worker thread. */
  threadAfterBatch?: number;
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
  private readonly opts: Required<Omit<AuditWriterOptions, 'path' | 'logger' | 'now' | 'open' | 'thread'>>;
  private readonly open: (file: string) => AuditDb;
  private threadMode: 'auto' | 'always' | 'never';
  /** Exactly one of these writes at any time; `starting` is a worker still loading. */
  private inline: AuditStore | null = null;
  private thread: AuditThread | null = null;
  private starting: AuditThread | null = null;
  private finalState: AuditStoreState | null = null;
  private queue: AuditEntry[] = [];
  /** Rows the full queue turned away, handed to the store with the next batch (a gap row). */
  private turnedAway: UnrecordedLoss | null = null;
  private lostAfterClose = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
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
      threadAfterBatch: options.threadAfterBatch ?? 32,
    };
    this.threadMode = options.open || !auditWorkerFile() ? 'never' : (options.thread ?? 'auto');
    if (this.threadMode === 'always') {
      const thread = this.newThread();
      if (thread?.ready(SYNC_START_MS)) {
        thread.init(null);
        this.thread = thread;
      } else {
        thread?.abandon();
        this.threadMode = 'never';
      }
    }
    if (!this.thread) this.inline = this.newInlineStore();
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), this.opts.pruneIntervalMs).unref();
    // Rows still queued are saved even while the process exits: better-sqlite3 is synchronous,
    // and a worker is waited for (it is stopped only after the exit handlers have run).
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
    if (this.closed) return;
    const changed = this.thread
      ? this.thread.call<string[] | null>({ op: 'config', config })
      : this.inline?.changedConfigSections(config);
    if (changed && changed.length > 0) this.record(configEntry('changed', changed, this.now()));
  }

  /** Writes everything queued now, synchronously. */
  flush(): void {
    this.write(true);
  }

  /** Applies retention now; also runs at start and every few hours. */
  prune(): PruneResult | null {
    if (this.closed) return null;
    this.write(false);
    const cutoff = retentionCutoff(this.opts.retentionDays, this.now());
    if (this.thread) {
      return (
        this.thread.call<PruneResult | null>({
          op: 'prune',
          cutoffMs: cutoff.getTime(),
          retentionDays: this.opts.retentionDays,
        }) ?? null
      );
    }
    return this.inline?.prune(cutoff, this.opts.retentionDays) ?? null;
  }

  status(): AuditStatus {
    const s = this.storeState();
    return {
      path: this.path,
      state: this.closed ? 'closed' : s.problem && s.problem !== 'busy' ? 'failing' : 'ok',
      written: s.written,
      lost: s.lost + (this.turnedAway?.rows ?? 0) + this.lostAfterClose,
      queued: this.queue.length + s.held,
      problem: s.problem,
      errorCode: s.errorCode,
      warning: this.warning(),
    };
  }

  /** One warning for the status view: the current problem, or rows lost earlier. */
  warning(): AuditWarning | null {
    const s = this.storeState();
    const lostRows = s.lost + (this.turnedAway?.rows ?? 0) + this.lostAfterClose;
    const lost = `${lostRows} audit record${lostRows === 1 ? '' : 's'}`;
    if (s.problem && s.problem !== 'busy') {
      const text = describeAuditProblem(s.problem, this.path);
      return { code: 'audit_unwritable', message: `${text.message} ${lost} not written so far.`, fix: text.fix };
    }
    if (lostRows > 0) {
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
    if (this.closed) return [];
    this.write(false);
    if (this.thread) return this.thread.call<RecentCall[]>({ op: 'recent', n }) ?? [];
    return this.inline?.recentCalls(n) ?? [];
  }

  countsSince(since: Date): CallCounts {
    const none = { lookups: 0, documents: 0, errors: 0 };
    if (this.closed) return none;
    this.write(false);
    if (this.thread) return this.thread.call<CallCounts>({ op: 'counts', sinceMs: since.getTime() }) ?? none;
    return this.inline?.countsSince(since) ?? none;
  }

  /** Whether rows are written in a worker thread now (for the benchmarks and tests). */
  get threaded(): boolean {
    return this.thread !== null;
  }

  close(): void {
    if (this.closed) return;
    this.write(false);
    this.closed = true;
    this.clearFlushTimers();
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    process.off('exit', this.onExit);
    this.starting?.abandon();
    this.starting = null;
    if (this.thread) {
      this.thread.close();
      this.finalState = this.thread.state();
    } else if (this.inline) {
      this.inline.close();
      this.finalState = this.inline.state();
    }
    this.thread = null;
    this.inline = null;
  }

  /**
   * Hands the queue to the store. `wait`: return only once it is written (or counted as lost);
   * otherwise a worker writes it while the caller carries on.
   */
  private write(wait: boolean): void {
    this.clearFlushTimers();
    if (this.closed) return;
    this.moveToThreadIfDue();
    const batch = this.queue;
    const loss = this.turnedAway;
    this.queue = [];
    this.turnedAway = null;
    if (this.thread) {
      if (batch.length > 0 || loss || wait) this.thread.write(batch, loss);
      if (wait) this.thread.sync();
      // The worker failed while this waited (threadFailed took over): the rows it had not
      // written are counted as lost; record that now, since this may be the flush on exit.
      if (wait && !this.thread && this.inline) this.inline.write([]);
      return;
    }
    const store = this.inline as AuditStore;
    if (loss) store.noteLoss(loss);
    store.write(batch);
    if (this.opts.threadAfterBatch <= batch.length) this.startThread();
  }

  private storeState(): AuditStoreState {
    return (
      this.thread?.state() ??
      this.inline?.state() ??
      this.finalState ?? {
        written: 0,
        lost: 0,
        processed: 0,
        held: 0,
        problem: null,
        errorCode: null,
        unrecordedLoss: null,
        lastOpenAttempt: 0,
      }
    );
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
    if (this.closed) {
      this.lostAfterClose++;
      return;
    }
    if (this.queue.length + this.storeState().held >= this.opts.maxQueue) {
      this.turnedAway = this.turnedAway
        ? { rows: this.turnedAway.rows + 1, from: this.turnedAway.from, to: entry.time }
        : { rows: 1, from: entry.time, to: entry.time };
      return;
    }
    this.queue.push(entry);
    this.schedule();
  }

  private schedule(): void {
    if (this.queue.length >= this.opts.maxBatch) {
      this.immediate ??= setImmediate(() => {
        this.immediate = null;
        this.write(false);
      });
      return;
    }
    if (!this.timer && !this.immediate) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.write(false);
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

  private newInlineStore(carried?: AuditStoreState): AuditStore {
    return new AuditStore(
      {
        path: this.path,
        open: this.open,
        logger: this.logger,
        now: this.now,
        reopenIntervalMs: this.opts.reopenIntervalMs,
        maxQueue: this.opts.maxQueue,
        retryMs: this.opts.flushIntervalMs,
        onChange: () => this.emitStatus(),
      },
      carried,
    );
  }

  private newThread(): AuditThread | null {
    const workerFile = auditWorkerFile();
    if (!workerFile) return null;
    try {
      return new AuditThread({
        path: this.path,
        workerFile,
        logger: this.logger,
        now: this.now,
        customClock: this.customClock,
        reopenIntervalMs: this.opts.reopenIntervalMs,
        maxQueue: this.opts.maxQueue,
        retryMs: this.opts.flushIntervalMs,
        onChange: () => this.emitStatus(),
        onFailure: (error) => this.threadFailed(error),
      });
    } catch (error) {
      this.logger.warn('audit worker could not start; writing on the main thread', {
        error: (error as Error).message,
      });
      return null;
    }
  }

  /** An `auto` writer under load: start a worker; it takes over once it has loaded. */
  private startThread(): void {
    if (this.threadMode !== 'auto' || this.starting || this.thread || this.closed) return;
    this.starting = this.newThread();
    if (!this.starting) this.threadMode = 'never';
  }

  private moveToThreadIfDue(): void {
    const next = this.starting;
    if (!next || !next.ready(0) || !this.inline || this.inline.state().held > 0) return;
    this.starting = null;
    // The chain's head is read inside each transaction, so the worker's connection continues it.
    next.init(this.inline.handOver());
    if (next.isFailed) {
      this.inline = this.newInlineStore(next.state() ?? undefined);
      this.threadMode = 'never';
      return;
    }
    this.inline = null;
    this.thread = next;
  }

  /** The worker died or stopped answering: rows it had not confirmed are lost; write here from now on. */
  private threadFailed(error: Error): void {
    if (this.starting && !this.thread) {
      this.starting = null;
      this.threadMode = 'never';
      this.logger.warn('audit worker could not start; writing on the main thread', { error: error.message });
      return;
    }
    const thread = this.thread;
    if (!thread) return;
    const state = thread.state();
    this.thread = null;
    this.threadMode = 'never';
    // The worker's last open is no reason to wait before this thread opens the file itself.
    this.inline = this.newInlineStore(state ? { ...state, held: 0, lastOpenAttempt: 0 } : undefined);
    if (state && state.held > 0) {
      const at = this.now().toISOString();
      this.inline.noteLoss({ rows: state.held, from: at, to: at });
    }
    this.logger.warn('audit worker stopped; writing on the main thread', {
      error: error.message,
      lost: state?.held ?? 0,
    });
    this.emitStatus();
  }

  private emitStatus(): void {
    this.emit('status', this.status());
  }
}

/** How long an `always` writer waits for its worker to load before writing on the main thread. */
const SYNC_START_MS = 20_000;
