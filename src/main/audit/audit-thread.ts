// The main thread's end of an audit store running in a worker thread (audit-worker.ts). Writes
// are posted and the caller carries on; the worker's state comes back after each step. What the
// writer's API promises synchronously (flush, the status view's queries, close, the flush on
// exit) waits for the worker's answer in shared memory, without running the event loop.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Logger } from '../core/logger.js';
import type { AuditEntry } from './audit-row.js';
import type { AuditStoreState, UnrecordedLoss } from './audit-store.js';
import {
  type AuditCommand,
  type AuditReply,
  type AuditWorkerData,
  DONE_SLOT,
  READY_SLOT,
} from './audit-thread-protocol.js';

/** Longest a synchronous step waits for the worker before giving up on it. */
const SYNC_TIMEOUT_MS = 20_000;

type CommandBody = AuditCommand extends infer C ? (C extends AuditCommand ? Omit<C, 'id' | 'nowMs'> : never) : never;

export interface AuditThreadOptions {
  path: string;
  workerFile: string;
  logger: Logger;
  now: () => Date;
  customClock: boolean;
  reopenIntervalMs: number;
  maxQueue: number;
  retryMs: number;
  onChange: () => void;
  /** The worker stopped answering or died: the writer takes the rows back into its own thread. */
  onFailure: (error: Error) => void;
}

export class AuditThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly shared: Int32Array;
  private nextId = 1;
  private postedRows = 0;
  private snapshot: AuditStoreState | null = null;
  private failed = false;
  private closed = false;

  constructor(private readonly opts: AuditThreadOptions) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const buffer = new SharedArrayBuffer(8);
    this.shared = new Int32Array(buffer);
    const data: AuditWorkerData & { port: MessagePort } = {
      path: opts.path,
      reopenIntervalMs: opts.reopenIntervalMs,
      maxQueue: opts.maxQueue,
      retryMs: opts.retryMs,
      customClock: opts.customClock,
      shared: buffer,
      port: port2,
    };
    this.worker = new Worker(opts.workerFile, {
      workerData: data,
      transferList: [port2],
      // The worker holds a batch and a SQLite page cache, nothing more.
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 },
    });
    // Neither the worker nor its port keeps the process alive: the writer flushes on exit.
    this.worker.unref();
    this.port.on('message', (reply: AuditReply) => this.apply(reply));
    this.port.unref();
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', () => {
      if (!this.closed) this.fail(new Error('the audit worker stopped'));
    });
  }

  /** True once the worker has loaded; waits up to `timeoutMs` (0: only looks). */
  ready(timeoutMs: number): boolean {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const flag = Atomics.load(this.shared, READY_SLOT);
      if (flag === 1) return true;
      const left = deadline - Date.now();
      if (left <= 0 || this.failed) return false;
      Atomics.wait(this.shared, READY_SLOT, flag, Math.min(left, 50));
    }
  }

  /** Hands the worker the state of the store it takes over from (or none), and waits for it. */
  init(state: AuditStoreState | null): void {
    this.snapshot = state;
    this.call({ op: 'init', state });
  }

  get isFailed(): boolean {
    return this.failed;
  }

  /** The worker's last reported state; rows posted but not yet answered count as held. */
  state(): AuditStoreState | null {
    const s = this.snapshot;
    if (!s) return null;
    return { ...s, held: this.postedRows - s.processed };
  }

  write(rows: AuditEntry[], loss: UnrecordedLoss | null): void {
    this.postedRows += rows.length;
    this.post({ op: 'write', rows, loss });
  }

  /** Waits until the worker has answered everything posted so far. */
  sync(): void {
    this.waitFor(this.nextId - 1);
  }

  /** Posts without waiting for the answer (a periodic prune). */
  send(body: CommandBody): void {
    this.post(body);
  }

  call<T>(body: CommandBody): T | undefined {
    const id = this.post(body);
    return this.waitFor(id)?.result as T | undefined;
  }

  close(): void {
    if (this.closed) return;
    if (!this.failed) this.call({ op: 'close' });
    this.closed = true;
    this.port.close();
  }

  /** Stops a worker that never took over a store (it holds no rows). */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.close();
    void this.worker.terminate();
  }

  private post(body: CommandBody): number {
    const id = this.nextId++;
    if (!this.failed) this.port.postMessage({ ...body, id, nowMs: this.opts.now().getTime() } as AuditCommand);
    return id;
  }

  /** Waits (blocking) for the answer to command `id`, applying every answer before it. */
  private waitFor(id: number): AuditReply | null {
    if (this.failed || id < 1) return null;
    const deadline = Date.now() + SYNC_TIMEOUT_MS;
    let found: AuditReply | null = null;
    for (;;) {
      // The worker posts its answer before it stores the id, so reading the id first and then
      // the port finds every answer up to it.
      const done = Atomics.load(this.shared, DONE_SLOT);
      for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
        const reply = m.message as AuditReply;
        this.apply(reply);
        if (reply.id === id) found = reply;
      }
      if (done >= id) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        this.fail(new Error(`the audit worker did not answer within ${SYNC_TIMEOUT_MS} ms`));
        return null;
      }
      Atomics.wait(this.shared, DONE_SLOT, done, Math.min(left, 100));
    }
  }

  private apply(reply: AuditReply): void {
    this.snapshot = reply.state;
    for (const [level, message, fields] of reply.logs) this.opts.logger[level](message, fields);
    if (reply.error) this.opts.logger.error('audit worker error', { error: reply.error.split('\n')[0] });
    if (reply.changed) this.opts.onChange();
  }

  private fail(error: Error): void {
    if (this.failed || this.closed) return;
    this.failed = true;
    void this.worker.terminate();
    this.opts.onFailure(error);
  }
}

/**
 * The worker's script: dist/audit-worker.js beside the CLI bundle (this code is then in
 * dist/cli.js or a chunk in dist/chunks/), or audit-worker.ts beside this file when the sources
 * run through tsx. Null where there is none (the Electron app's bundle): the writer stays inline.
 */
export function auditWorkerFile(): string | null {
  if (process.versions.electron) return null;
  // In the CommonJS bundle `import.meta.url` is not there; `__filename` is.
  const self = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  const dir = path.dirname(self);
  const underTsx = self.endsWith('.ts');
  const candidates = underTsx
    ? [path.join(dir, 'audit-worker.ts')]
    : [path.join(dir, 'audit-worker.js'), path.join(dir, '..', 'audit-worker.js')];
  return candidates.find((file) => existsSync(file)) ?? null;
}
