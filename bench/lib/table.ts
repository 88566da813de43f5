// The one table `npm run bench` prints: every headline number next to its target.
/* biome-ignore-all lint/suspicious/noExplicitAny: results are read back as plain JSON */

interface Row {
  metric: string;
  value: string;
  target: string;
  verdict: string;
}

export function printTable(results: Record<string, any>): void {
  const rows: Row[] = [];
  const add = (metric: string, value: unknown, target = '', met?: boolean) =>
    rows.push({
      metric,
      value: value === undefined || value === null ? '—' : String(value),
      target,
      verdict: met === undefined ? '' : met ? 'met' : 'MISSED',
    });

  const pc = results.protocolCeiling;
  if (pc?.points) {
    for (const p of pc.points) {
      add(
        `ceiling c=${p.concurrency}: bare ws / protocol / http (calls/s)`,
        `${p.bareRps} / ${p.protocolRps} / ${p.httpRps}`,
      );
    }
    for (const p of pc.points) {
      const range = p.ratioMin !== undefined ? ` [${p.ratioMin}–${p.ratioMax}]` : '';
      add(
        `ceiling c=${p.concurrency}: ratio protocol/bare, median [min–max] of ${pc.pairsPerPoint ?? 1} pairs (http/bare)`,
        `${p.ratio}${range} (${p.httpRatio})`,
        p.concurrency === 256 ? '≥ 0.5' : '',
        p.concurrency === 256 ? p.ratio >= 0.5 : undefined,
      );
    }
  }
  const lo = results.lookupOverhead;
  if (lo?.points) {
    for (const p of lo.points) {
      add(`lookup c=${p.concurrency}: direct p50/p95/p99 (ms)`, `${p.direct.p50} / ${p.direct.p95} / ${p.direct.p99}`);
      add(`lookup c=${p.concurrency}: whole path p50/p95/p99 (ms)`, `${p.whole.p50} / ${p.whole.p95} / ${p.whole.p99}`);
      add(
        `lookup c=${p.concurrency}: overhead p50/p95/p99 (ms)`,
        `${p.overheadMs.p50} / ${p.overheadMs.p95} / ${p.overheadMs.p99}`,
        p.concurrency === 64 ? 'p99 ≤ 2 ms' : '',
        p.concurrency === 64 ? p.overheadMs.p99 <= 2 : undefined,
      );
      if (p.connectorOnly) {
        add(
          `lookup c=${p.concurrency}: connector-only overhead p50/p99 (ms)`,
          `${p.connectorOnly.overheadMs.p50} / ${p.connectorOnly.overheadMs.p99}`,
        );
      }
    }
  }
  // Real sources, each its own process (bench/lookup-sources.ts); no target of their own.
  for (const name of ['fhir', 'postgres'] as const) {
    const source = lo?.[name];
    if (!source) continue;
    if (source.failed) {
      add(`lookup ${name}`, `failed: ${source.failed}`);
      continue;
    }
    for (const p of source.points ?? []) {
      add(
        `lookup ${name} c=${p.concurrency}: direct p50/p95/p99 (ms)`,
        `${p.direct.p50} / ${p.direct.p95} / ${p.direct.p99}`,
      );
      add(
        `lookup ${name} c=${p.concurrency}: whole path p50/p95/p99 (ms)`,
        `${p.whole.p50} / ${p.whole.p95} / ${p.whole.p99}`,
      );
      add(
        `lookup ${name} c=${p.concurrency}: overhead p50/p95/p99 (ms)`,
        `${p.overheadMs.p50} / ${p.overheadMs.p95} / ${p.overheadMs.p99}`,
      );
    }
  }
  const m = results.memory;
  if (m && m.idleRssMb !== undefined) {
    add(`memory: RSS idle after ${m.idleAfterS} s (MB)`, m.idleRssMb, '≤ 60', m.idleRssMb <= 60);
    add('memory: RSS of a bare idle node process (MB)', m.nodeBaselineRssMb);
    add(`memory: RSS after ${m.lookupsPerRound} lookups + ${m.consentFilings} filings (MB)`, m.afterRound1RssMb);
    add('memory: RSS after a second round (MB)', m.afterRound2RssMb);
    add('memory: growth between rounds (%)', m.growthPercent, '≤ 5', m.growthPercent <= 5);
    add('memory: peak RSS (MB)', m.peakRssMb);
  }
  const r = results.recovery;
  if (r?.reconnect) {
    add('recovery: platform back → connected, median/max (ms)', `${r.reconnect.medianMs} / ${r.reconnect.maxMs}`);
    add('recovery: of which handshake, median (ms)', r.reconnect.handshakeMedianMs);
    add('recovery: hub kill -9 + restart → connected (ms)', r.hubRestart?.medianMs);
    add(
      `recovery: black hole detected (ms, dead after ${r.blackhole?.timers?.deadAfterMs})`,
      `${r.blackhole?.detectMedianMs} (max ${r.blackhole?.detectMaxMs})`,
    );
    add(
      'recovery: failover kill -9 → answer (ms, lookup 300)',
      `${r.failover?.killToAnswerMedianMs} (${r.failover?.answered200}/${r.failover?.trials} ok)`,
    );
  }
  const bd = results.bigDocuments;
  if (bd?.skipped) add('big documents', `skipped: ${bd.skipped}`);
  for (const p of bd?.points ?? []) {
    add(
      `big document ${p.mib} MiB: time, MiB/s, peak RSS MB`,
      p.stored ? `${p.bestMs} ms, ${p.mibPerSecond}, ${p.peakRssMb}` : `failed: ${p.failure}`,
    );
  }
  if (results.auditThroughput) add('audit log throughput', summariseAudit(results.auditThroughput));
  const cl = results.cluster;
  if (cl?.skipped) add('cluster', `skipped: ${cl.skipped}`);
  if (cl?.forwarding)
    add(
      'cluster: calls/s via holder / via other instance (ratio)',
      `${cl.forwarding.throughHolder.perSecond} / ${cl.forwarding.throughOtherInstance.perSecond} (${cl.forwarding.ratio})`,
    );
  if (cl?.failover)
    add('cluster: failover kill -9 of holding instance → answer (ms, lookup 300)', cl.failover.medianMs);

  const w = [
    Math.max(...rows.map((x) => x.metric.length)),
    Math.max(...rows.map((x) => x.value.length)),
    Math.max(6, ...rows.map((x) => x.target.length)),
  ];
  const line = (a: string, b: string, c: string, d: string) =>
    `${a.padEnd(w[0] as number)}  ${b.padStart(w[1] as number)}  ${c.padEnd(w[2] as number)}  ${d}`;
  process.stdout.write(`\n${line('metric', 'value', 'target', '')}\n`);
  process.stdout.write(`${'-'.repeat((w[0] as number) + (w[1] as number) + (w[2] as number) + 12)}\n`);
  for (const row of rows) process.stdout.write(`${line(row.metric, row.value, row.target, row.verdict)}\n`);
  for (const note of results.notes ?? []) process.stdout.write(`note: ${note}\n`);
  const mc = results.machine;
  if (mc) {
    process.stdout.write(
      `machine: ${mc.nproc} CPUs (${mc.cpuModel}), Node ${mc.node}, load average before ${mc.loadAverageBefore?.[0]} after ${mc.loadAverageAfter?.[0]}\n`,
    );
  }
}

function summariseAudit(value: any): string {
  if (typeof value !== 'object' || value === null) return String(value);
  if (typeof value.ratio === 'number') {
    return `on/off ratio ${value.ratio} (on ${value.onPerSecond}/s, off ${value.offPerSecond}/s)`;
  }
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
