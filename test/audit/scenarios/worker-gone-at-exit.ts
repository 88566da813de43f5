// The audit worker dies without the main thread having seen it go (its `exit` event never ran),
// then the process exits with rows queued: the flush on exit waits for the worker, gives up, and
// must still leave the loss recorded in the log. Started by worker-thread.test.ts.
import type { Worker } from 'node:worker_threads';
import { AuditWriter } from '../../../src/main/audit/audit-writer.js';
import { callEvent } from '../fixtures.js';

const [file] = process.argv.slice(2) as [string];
const writer = new AuditWriter({ path: file, thread: 'always' });
process.stdout.write(`threaded ${writer.threaded}\n`);
for (let i = 0; i < 100; i++) writer.recordCall(callEvent(i));
writer.flush();
// The worker is stopped (as a crash would stop it); the main thread keeps running without a turn
// of its event loop, so the writer does not know.
void (writer as unknown as { thread: { worker: Worker } }).thread.worker.terminate();
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_000);
for (let i = 100; i < 150; i++) writer.recordCall(callEvent(i));
process.exit(0);
