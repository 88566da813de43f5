// The measurement shared by every lookup-overhead variant (demo, FHIR, PostgreSQL): at 1 and 64
// concurrent, the direct call and the whole-path call (and, where given, the connector-only
// call) run in interleaved halves — direct, whole, connector, then again — so that any drift in
// the machine affects every side alike. Overhead = whole − direct at the same percentile.
import type { BenchContext } from './context.js';
import { type LoadResult, runLoad } from './load.js';
import { type LatencySummary, round, summarise } from './stats.js';

export const OVERHEAD_CONCURRENCY = [1, 64] as const;

type Percentiles = { p50: number; p95: number; p99: number };

export interface OverheadPoint {
  concurrency: number;
  direct: LatencySummary;
  whole: LatencySummary;
  overheadMs: Percentiles;
  ratio: Percentiles;
  /** Platform session → connector → source, without the hub's HTTP API: the connector's own share. */
  connectorOnly?: { latency: LatencySummary; overheadMs: Percentiles };
}

export interface OverheadCalls {
  direct: (i: number) => Promise<string | null>;
  whole: (i: number) => Promise<string | null>;
  connectorOnly?: (i: number) => Promise<string | null>;
}

export async function measureOverhead(
  ctx: BenchContext,
  label: string,
  calls: OverheadCalls,
  options: { durationMs: number; minWarmup?: number },
): Promise<OverheadPoint[]> {
  const points: OverheadPoint[] = [];
  for (const concurrency of OVERHEAD_CONCURRENCY) {
    const half = options.durationMs / 2;
    const warmup = Math.max(options.minWarmup ?? 0, concurrency * 5);
    const runs: Record<'direct' | 'whole' | 'connectorOnly', LoadResult[]> = {
      direct: [],
      whole: [],
      connectorOnly: [],
    };
    for (const pass of [0, 1]) {
      for (const kind of ['direct', 'whole', 'connectorOnly'] as const) {
        const call = calls[kind];
        if (!call) continue;
        runs[kind].push(await runLoad({ concurrency, durationMs: half, warmup: pass === 0 ? warmup : 0, call }));
      }
    }
    const all = [...runs.direct, ...runs.whole, ...runs.connectorOnly];
    const failed = all.reduce((n, r) => n + r.failed, 0);
    if (failed > 0) {
      const reasons = [...new Set(all.flatMap((r) => r.failures))].slice(0, 5);
      ctx.note(`lookup overhead (${label}) c=${concurrency}: ${failed} failed calls (${reasons.join('; ')})`);
    }
    const d = summarise(runs.direct.flatMap((r) => r.latencies));
    const w = summarise(runs.whole.flatMap((r) => r.latencies));
    const point: OverheadPoint = {
      concurrency,
      direct: d,
      whole: w,
      overheadMs: difference(w, d),
      ratio: { p50: round(w.p50 / d.p50, 3), p95: round(w.p95 / d.p95, 3), p99: round(w.p99 / d.p99, 3) },
    };
    let connectorText = '';
    if (calls.connectorOnly) {
      const c = summarise(runs.connectorOnly.flatMap((r) => r.latencies));
      point.connectorOnly = { latency: c, overheadMs: difference(c, d) };
      connectorText = `, connector only ${c.p50}/${c.p99} ms`;
    }
    points.push(point);
    ctx.log(
      `  ${label} c=${concurrency}: direct p50/p99 ${d.p50}/${d.p99} ms (n=${d.count}), whole ${w.p50}/${w.p99} ms (n=${w.count})${connectorText}`,
    );
  }
  return points;
}

function difference(a: LatencySummary, b: LatencySummary): Percentiles {
  return { p50: round(a.p50 - b.p50), p95: round(a.p95 - b.p95), p99: round(a.p99 - b.p99) };
}
