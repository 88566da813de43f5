// Writes N call rows through its own AuditWriter, in small bursts like concurrent calls, and
// prints the writer's final status. Several of these share one file in concurrency.test.ts.
import { AuditWriter } from '../../../src/main/audit/audit-writer.js';
import { callEvent } from '../fixtures.js';

const [file, count, session] = process.argv.slice(2) as [string, string, string];
const writer = new AuditWriter({ path: file, flushIntervalMs: 5 });
const n = Number(count);
for (let i = 0; i < n; i++) {
  writer.recordCall(callEvent(i, { sessionId: session }));
  if (i % 50 === 0) await new Promise((r) => setImmediate(r));
}
writer.close();
process.stdout.write(`${JSON.stringify(writer.status())}\n`);
