// The open-loop benchmark's view into a connector process: its event-loop delay (through
// event-loop-probe.mjs, loaded with --import) and its own receive-to-send time per call, read
// from the audit log it writes anyway (`duration_ms`: from the frame's arrival to the answer
// handed to the socket, src/main/core/dispatcher.ts).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { openAuditDbForReading } from '../../src/main/audit/open-db.js';
import type { ConnectorProcess } from '../../test/helpers/processes.js';
import type { ConnectorExtras } from './real-sources.js';

export interface EventLoopReport {
  sequence: number;
  count: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export interface ConnectorProbe {
  /** What to add to the connector's spec: the probe module and an audit file of its own. */
  extras: ConnectorExtras;
  attach(connector: ConnectorProcess): void;
  eventLoop(command: 'on' | 'off' | 'reset' | 'report'): Promise<EventLoopReport>;
  /** The highest audit row so far, once the writer has flushed (it writes every 100 ms). */
  auditMark(): Promise<number>;
  /** Receive-to-send times (ms) of the lookups recorded after `afterSeq`, up to `uptoSeq`. */
  durationsBetween(afterSeq: number, uptoSeq: number): number[];
}

export function connectorProbe(dir: string): ConnectorProbe {
  const out = path.join(dir, 'event-loop.json');
  const auditFile = path.join(dir, 'probe-audit.sqlite');
  const module = pathToFileURL(path.join(import.meta.dirname, 'event-loop-probe.mjs'));
  module.searchParams.set('out', out);
  let pid: number | null = null;
  let sequence = 0;
  const readSeq = (): number => {
    const db = openAuditDbForReading(auditFile);
    try {
      return (db.prepare('SELECT coalesce(max(seq), 0) AS n FROM audit_log').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  return {
    extras: { nodeArgs: ['--import', module.href], config: { audit: { path: auditFile } } },
    attach(connector) {
      pid = connector.handle.pid;
    },
    async eventLoop(command) {
      if (pid === null) throw new Error('probe not attached');
      writeFileSync(`${out}.cmd`, command);
      const expected = ++sequence;
      process.kill(pid, 'SIGUSR2');
      const deadline = Date.now() + 10_000;
      for (;;) {
        if (existsSync(out)) {
          const report = JSON.parse(readFileSync(out, 'utf8')) as EventLoopReport;
          if (report.sequence === expected) return report;
        }
        if (Date.now() > deadline) throw new Error('the event-loop probe did not answer');
        await sleep(5);
      }
    },
    async auditMark() {
      // Past the writer's 100 ms flush interval, and until two reads agree (a batch can be large).
      let last = -1;
      for (let i = 0; i < 50; i++) {
        await sleep(150);
        const seq = readSeq();
        if (seq === last) return seq;
        last = seq;
      }
      return last;
    },
    durationsBetween(afterSeq, uptoSeq) {
      const db = openAuditDbForReading(auditFile);
      try {
        return (
          db
            .prepare(
              "SELECT duration_ms AS d FROM audit_log WHERE seq > ? AND seq <= ? AND kind = 'call' AND method = 'patient.lookup' AND outcome = 'ok'",
            )
            .all(afterSeq, uptoSeq) as Array<{ d: number }>
        ).map((r) => r.d);
      } finally {
        db.close();
      }
    },
  };
}
