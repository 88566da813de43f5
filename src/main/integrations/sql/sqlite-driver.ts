// SQLite through better-sqlite3, which is synchronous: a slow query on the main thread would
// stall the whole connector (heartbeats included). So queries run in small helpers, one query per
// helper at a time. Under Node a helper is a child process, and aborting a query kills it, which
// stops SQLite there and then. Inside the packaged Electron app, whose RunAsNode fuse is off, a
// child cannot run as Node, so the helpers are worker threads: the connector stays responsive and
// an aborted call is answered at once, but the thread can only be stopped once SQLite returns
// (a worker thread cannot be interrupted inside native code). The database is opened read-only.
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { z } from 'zod';
import type { sqliteConnectionSchema } from '../../../shared/config/sources.js';
import { abortError, throwIfAborted } from '../common/source-error.js';
import { compileQuery } from './named-params.js';
import type { SqlDriver, SqlRow } from './sql-driver.js';

type SqliteConnection = z.infer<typeof sqliteConnectionSchema>;

// Plain CommonJS, run with `node -e` or as an eval'd worker, so it needs no file in the bundle.
const PROCESS_PREAMBLE = `
const workerData = JSON.parse(process.argv[1]);
const parentPort = { postMessage: (m) => process.send(m), on: (e, f) => process.on(e, f) };
process.on('disconnect', () => process.exit(0));
`;
const THREAD_PREAMBLE = `
const threads = require('node:worker_threads');
const workerData = JSON.parse(threads.workerData);
const parentPort = threads.parentPort;
`;
const HELPER_BODY = `
const Database = require(workerData.modulePath);
let db, stmt, fatal = null;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  stmt = db.prepare(workerData.sql);
} catch (e) { fatal = String(e.code || e.name || 'Error'); }
parentPort.on('message', (msg) => {
  if (fatal) return parentPort.postMessage({ error: fatal });
  try {
    const rows = msg.ping ? [db.prepare('SELECT 1 AS ok').get()] : stmt.all({ id: msg.id });
    parentPort.postMessage({ rows });
  } catch (e) { parentPort.postMessage({ error: String(e.code || e.name || 'Error') }); }
});
`;

export type SqliteHelperMode = 'process' | 'thread';

/** Child processes under Node; worker threads inside Electron (no RunAsNode there). */
export function defaultHelperMode(): SqliteHelperMode {
  return process.versions.electron ? 'thread' : 'process';
}

/** The part of ChildProcess the driver uses, so that a worker thread can stand in for it. */
type Helper = Pick<ChildProcess, 'on' | 'off' | 'once' | 'send' | 'kill' | 'ref' | 'unref'> & {
  channel?: ChildProcess['channel'];
};

class ThreadHelper extends EventEmitter {
  private readonly worker: Worker;
  readonly channel = undefined;

  constructor(data: string) {
    super();
    this.worker = new Worker(THREAD_PREAMBLE + HELPER_BODY, { eval: true, workerData: data });
    this.worker.on('message', (m) => this.emit('message', m));
    this.worker.on('error', (e) => this.emit('error', e));
    this.worker.on('exit', (code) => this.emit('exit', code));
  }

  send(message: unknown): boolean {
    this.worker.postMessage(message);
    return true;
  }

  kill(): boolean {
    void this.worker.terminate();
    return true;
  }

  ref(): void {
    this.worker.ref();
  }

  unref(): void {
    this.worker.unref();
  }
}

function betterSqlitePath(): string {
  // In the CommonJS bundle `import.meta.url` is not there; `__filename` is.
  const base = typeof __filename === 'string' ? __filename : import.meta.url;
  return asarUnpackedPath(createRequire(base).resolve('better-sqlite3'));
}

/**
 * In the packaged app the module resolves inside app.asar, which a worker thread may not be able to
 * read (Electron sets up asar reading for its own environments; electron#22446). better-sqlite3 is
 * unpacked in full (electron-builder.yml asarUnpack), so the helpers load it from app.asar.unpacked.
 */
export function asarUnpackedPath(file: string): string {
  return file.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

interface Job {
  message: { id?: string; ping?: boolean };
  signal: AbortSignal;
  resolve: (rows: SqlRow[]) => void;
  reject: (error: unknown) => void;
}

export const SQLITE_WORKERS = 2;

export class SqliteDriver implements SqlDriver {
  private readonly idle: Helper[] = [];
  private readonly queue: Job[] = [];
  private workers = 0;
  private closed = false;
  private readonly file: string;
  private readonly sql: string;
  /** Helper processes killed because their query was aborted (for tests and diagnostics). */
  terminated = 0;

  constructor(
    connection: SqliteConnection,
    query: string,
    configDir: string,
    private readonly mode: SqliteHelperMode = defaultHelperMode(),
  ) {
    this.file = path.resolve(configDir, connection.file);
    this.sql = compileQuery(query, 'sqlite');
  }

  query(id: string, signal: AbortSignal): Promise<SqlRow[]> {
    return this.run({ id }, signal);
  }

  async ping(signal: AbortSignal): Promise<boolean> {
    const rows = await this.run({ ping: true }, signal);
    return rows.length === 1;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const worker of this.idle.splice(0)) worker.kill('SIGKILL');
  }

  private run(message: Job['message'], signal: AbortSignal): Promise<SqlRow[]> {
    throwIfAborted(signal);
    return new Promise<SqlRow[]>((resolve, reject) => {
      this.queue.push({ message, signal, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const job = this.queue[0] as Job;
      if (job.signal.aborted) {
        this.queue.shift();
        job.reject(abortError(job.signal));
        continue;
      }
      const worker = this.idle.pop() ?? (this.workers < SQLITE_WORKERS ? this.spawn() : undefined);
      if (!worker) return;
      this.queue.shift();
      this.dispatch(worker, job);
    }
  }

  private spawn(): Helper {
    this.workers++;
    const data = JSON.stringify({ modulePath: betterSqlitePath(), file: this.file, sql: this.sql });
    const worker: Helper =
      this.mode === 'thread'
        ? (new ThreadHelper(data) as unknown as Helper)
        : spawn(process.execPath, ['-e', PROCESS_PREAMBLE + HELPER_BODY, data], {
            stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
            env: { ...process.env, NODE_OPTIONS: '' },
            windowsHide: true,
          });
    // Idle helpers must not keep the connector (or a test run) alive.
    worker.unref();
    worker.channel?.unref();
    worker.on('error', () => {}); // a helper that fails to start fails its job through onExit
    worker.on('exit', () => {
      this.workers--;
      const i = this.idle.indexOf(worker);
      if (i !== -1) this.idle.splice(i, 1);
    });
    return worker;
  }

  private dispatch(worker: Helper, job: Job): void {
    // Referenced only while a query is in flight, so that waiting for the answer keeps us alive.
    worker.ref();
    worker.channel?.ref();
    const finish = () => {
      worker.unref();
      worker.channel?.unref();
      job.signal.removeEventListener('abort', onAbort);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
    };
    const onMessage = (message: unknown) => {
      const reply = message as { rows?: SqlRow[]; error?: string };
      finish();
      if (this.closed) worker.kill('SIGKILL');
      else this.idle.push(worker);
      if (reply.error) job.reject(Object.assign(new Error(reply.error), { code: reply.error }));
      else job.resolve(reply.rows ?? []);
      this.pump();
    };
    const onExit = () => {
      finish();
      job.reject(Object.assign(new Error('ESQLITEHELPER'), { code: 'ESQLITEHELPER' }));
      this.pump();
    };
    const onAbort = () => {
      finish();
      // Killing the helper is the only way to stop a running better-sqlite3 statement.
      this.terminated++;
      worker.once('exit', () => this.pump());
      worker.kill('SIGKILL');
      job.reject(abortError(job.signal));
    };
    job.signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', onMessage);
    worker.once('exit', onExit);
    worker.send(job.message);
  }
}
