// The audit store in a worker thread: the connector's main thread hands it batches of rows and
// carries on, while this thread hashes them onto the chain and writes them with its own
// better-sqlite3 connection (audit-thread.ts is the other end; audit-thread-protocol.ts the
// messages). Its own entry in the build (dist/audit-worker.js), so that it loads only this code.
import { type MessagePort, workerData as rawWorkerData } from 'node:worker_threads';
import type { Logger } from '../core/logger.js';
import { AuditStore, type AuditStoreState } from './audit-store.js';
import {
  type AuditCommand,
  type AuditReply,
  type AuditWorkerData,
  DONE_SLOT,
  type LogLine,
  READY_SLOT,
} from './audit-thread-protocol.js';
import { openAuditDbForWriting } from './open-db.js';

const data = rawWorkerData as AuditWorkerData & { port: MessagePort };
const shared = new Int32Array(data.shared);
const port = data.port;
let clockMs = Date.now();
let logs: LogLine[] = [];
let changed = false;
const logger: Logger = {
  debug: (message, fields) => logs.push(['debug', message, fields]),
  info: (message, fields) => logs.push(['info', message, fields]),
  warn: (message, fields) => logs.push(['warn', message, fields]),
  error: (message, fields) => logs.push(['error', message, fields]),
};
let store: AuditStore | null = null;

function reply(id: number, result?: unknown, error?: string): void {
  if (!store) return;
  const message: AuditReply = { id, state: store.state(), changed, logs, result, error };
  logs = [];
  changed = false;
  port.postMessage(message);
}

function createStore(state: AuditStoreState | null): AuditStore {
  return new AuditStore(
    {
      path: data.path,
      open: (file) => openAuditDbForWriting(file),
      logger,
      now: () => (data.customClock ? new Date(clockMs) : new Date()),
      reopenIntervalMs: data.reopenIntervalMs,
      maxQueue: data.maxQueue,
      retryMs: data.retryMs,
      // A retry after a busy lock happens here, not on a command: report it on its own.
      onChange: () => {
        changed = true;
        if (!handling) queueMicrotask(() => reply(0));
      },
    },
    state ?? undefined,
  );
}

let handling = false;
port.on('message', (command: AuditCommand) => {
  handling = true;
  clockMs = command.nowMs;
  let result: unknown;
  let error: string | undefined;
  try {
    if (command.op === 'init') store = createStore(command.state);
    const s = store as AuditStore;
    switch (command.op) {
      case 'write':
        if (command.loss) s.noteLoss(command.loss);
        s.write(command.rows);
        break;
      case 'prune':
        result = s.prune(new Date(command.cutoffMs), command.retentionDays);
        break;
      case 'config':
        result = s.changedConfigSections(command.config);
        break;
      case 'recent':
        result = s.recentCalls(command.n);
        break;
      case 'counts':
        result = s.countsSince(new Date(command.sinceMs));
        break;
      case 'close':
        s.close();
        break;
    }
  } catch (e) {
    // Every failure of the database is handled inside the store; this is a bug, reported as such.
    error = String((e as Error)?.stack ?? e);
  } finally {
    handling = false;
  }
  reply(command.id, result, error);
  Atomics.store(shared, DONE_SLOT, command.id);
  Atomics.notify(shared, DONE_SLOT);
  if (command.op === 'close') port.close();
});

Atomics.store(shared, READY_SLOT, 1);
Atomics.notify(shared, READY_SLOT);
