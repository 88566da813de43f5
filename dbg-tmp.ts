import os from 'node:os';
import { AuditWriter } from './src/main/audit/audit-writer.ts';

const calls = Array.from({ length: 2000 }, (_, i) => ({
  channelId: 'c1',
  requestId: `req-${i}`,
  method: 'patient.lookup',
  outcome: 'ok' as const,
  reason: null,
  durationMs: 0.8 + i / 1000,
  bytesIn: 150,
  bytesOut: 900,
  sessionId: 'sess-0123456789abcdef',
}));
for (const thread of ['never', 'always'] as const) {
  const w = new AuditWriter({
    path: `${os.tmpdir()}/rc-${thread}-${Date.now()}.sqlite`,
    thread,
    flushIntervalMs: 60_000,
    maxBatch: 1e9,
  });
  const times: number[] = [];
  for (let r = 0; r < 30; r++) {
    const t0 = process.threadCpuUsage();
    for (const c of calls) w.recordCall(c);
    (w as any).write(false);
    const t1 = process.threadCpuUsage();
    times.push((t1.user + t1.system - t0.user - t0.system) / calls.length);
    w.flush();
  }
  times.sort((a, b) => a - b);
  console.log(thread, 'main-thread µs/row median', times[15].toFixed(2), 'min', times[0].toFixed(2));
  w.close();
}
