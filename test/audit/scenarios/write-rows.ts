// Writes N call rows through its own AuditWriter, in small bursts like concurrent calls, and
// prints the writer's final status. Several of these share one file in concurrency.test.ts; each
// says it is ready (`<file>.ready-<session>`) and waits for `<file>.go`, so that all of them
// really write at the same time however slowly each process starts.
import { existsSync, writeFileSync } from 'node:fs';
import { AuditWriter } from '../../../src/main/audit/audit-writer.js';
import { callEvent } from '../fixtures.js';

const [file, count, session] = process.argv.slice(2) as [string, string, string];
const writer = new AuditWriter({ path: file, flushIntervalMs: 5 });
const n = Number(count);
writeFileSync(`${file}.ready-${session}`, '');
while (!existsSync(`${file}.go`)) await new Promise((r) => setTimeout(r, 5));
for (let i = 0; i < n; i++) {
  writer.recordCall(callEvent(i, { sessionId: session }));
  // Bursts of 50 a millisecond apart: rows arrive over time, as calls do, not in one lump.
  if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
}
writer.close();
process.stdout.write(`${JSON.stringify(writer.status())}\n`);
