// Records rows through a writer in a worker thread and then ends the process with rows still
// queued: `exit` calls process.exit at once, `end` lets the event loop run out. Started by
// worker-thread.test.ts, which then counts the rows on disk.
import { AuditWriter } from '../../../src/main/audit/audit-writer.js';
import { callEvent } from '../fixtures.js';

const [file, how] = process.argv.slice(2) as [string, 'exit' | 'end'];
const writer = new AuditWriter({ path: file, thread: 'always' });
process.stdout.write(`threaded ${writer.threaded}\n`);
for (let i = 0; i < 5_000; i++) writer.recordCall(callEvent(i));
await new Promise((r) => setTimeout(r, 150));
for (let i = 5_000; i < 8_000; i++) writer.recordCall(callEvent(i));
if (how === 'exit') process.exit(0);
