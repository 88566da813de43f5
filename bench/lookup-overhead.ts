// Benchmark 2 — lookup overhead: the same lookups made (a) through the whole path — HTTP caller →
// hub process → connector process → data source — and (b) directly against the same data source,
// at 1 and 64 concurrent. Overhead is the difference per percentile, in ms and as a ratio.
// The data source is the demo source with 20 ms simulated latency (no FHIR or SQL integration is
// compared here unless one is registered; see docs/performance.md).
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DemoSource } from '../src/main/integrations/demo/demo-source.js';
import { startConnectorProcess } from '../test/helpers/processes.js';
import { BENCH_MAX_CONCURRENCY, demoIdentifiers, lookupThroughHub, startCluster } from './lib/cluster.js';
import type { BenchContext } from './lib/context.js';
import { runLoad } from './lib/load.js';
import { startProtocolPlatform } from './lib/protocol-platform.js';
import { withScope } from './lib/scope.js';
import { type LatencySummary, round, summarise } from './lib/stats.js';

const LATENCY_MS = 20;

export interface OverheadPoint {
  concurrency: number;
  direct: LatencySummary;
  whole: LatencySummary;
  overheadMs: { p50: number; p95: number; p99: number };
  ratio: { p50: number; p95: number; p99: number };
  /** Platform session → connector → source, without the hub's HTTP API: the connector's own share. */
  connectorOnly: { latency: LatencySummary; overheadMs: { p50: number; p95: number; p99: number } };
}

export async function lookupOverhead(ctx: BenchContext) {
  return withScope(async (scope) => {
    const ids = demoIdentifiers(1000);
    const cluster = await startCluster(scope, {
      runner: ctx.runner,
      connectors: [{ name: 'bench-overhead', config: { patientLookup: { type: 'demo', latencyMs: LATENCY_MS } } }],
    });
    const direct = new DemoSource({ type: 'demo', latencyMs: LATENCY_MS });
    const directCall = async (i: number) => {
      const found = await direct.lookup(ids[i % ids.length] as string, { signal: new AbortController().signal });
      return found.length === 1 ? null : 'no patient';
    };
    const wholeCall = (i: number) => lookupThroughHub(cluster.client, ids[i % ids.length] as string);

    const platform = await startProtocolPlatform();
    scope.after(() => platform.close());
    const cdir = path.join(scope.tempDir(), 'c');
    mkdirSync(cdir);
    startConnectorProcess(scope, {
      dir: cdir,
      token: `cc_demo_${randomBytes(24).toString('base64url')}`,
      runner: ctx.runner,
      config: {
        platformUrl: platform.wsUrl,
        maxConcurrency: BENCH_MAX_CONCURRENCY,
        patientLookup: { type: 'demo', latencyMs: LATENCY_MS },
      },
    });
    const session = await platform.session();
    const connectorCall = async (i: number) => {
      const outcome = await session.call('patient.lookup', { identificationNumber: ids[i % ids.length] }, 10_000);
      return outcome.kind === 'result' ? null : outcome.kind;
    };

    const points: OverheadPoint[] = [];
    for (const concurrency of [1, 64]) {
      const durationMs = ctx.quick ? 3_000 : 10_000;
      const warmup = concurrency * 5;
      // Alternate halves so that any drift in the machine affects both sides alike.
      const d1 = await runLoad({ concurrency, durationMs: durationMs / 2, warmup, call: directCall });
      const w1 = await runLoad({ concurrency, durationMs: durationMs / 2, warmup, call: wholeCall });
      const c1 = await runLoad({ concurrency, durationMs: durationMs / 2, warmup, call: connectorCall });
      const d2 = await runLoad({ concurrency, durationMs: durationMs / 2, call: directCall });
      const w2 = await runLoad({ concurrency, durationMs: durationMs / 2, call: wholeCall });
      const c2 = await runLoad({ concurrency, durationMs: durationMs / 2, call: connectorCall });
      const failed = w1.failed + w2.failed + d1.failed + d2.failed + c1.failed + c2.failed;
      if (failed > 0)
        ctx.note(
          `lookup overhead c=${concurrency}: ${failed} failed calls (${[...w1.failures, ...w2.failures].join('; ')})`,
        );
      const d = summarise([...d1.latencies, ...d2.latencies]);
      const w = summarise([...w1.latencies, ...w2.latencies]);
      const c = summarise([...c1.latencies, ...c2.latencies]);
      const point: OverheadPoint = {
        concurrency,
        direct: d,
        whole: w,
        overheadMs: { p50: round(w.p50 - d.p50), p95: round(w.p95 - d.p95), p99: round(w.p99 - d.p99) },
        ratio: { p50: round(w.p50 / d.p50, 3), p95: round(w.p95 / d.p95, 3), p99: round(w.p99 / d.p99, 3) },
        connectorOnly: {
          latency: c,
          overheadMs: { p50: round(c.p50 - d.p50), p95: round(c.p95 - d.p95), p99: round(c.p99 - d.p99) },
        },
      };
      points.push(point);
      ctx.log(
        `  c=${concurrency}: direct p50/p99 ${d.p50}/${d.p99} ms, whole ${w.p50}/${w.p99} ms (n=${w.count}), connector only ${c.p50}/${c.p99} ms`,
      );
    }
    const at64 = points.find((p) => p.concurrency === 64) as OverheadPoint;
    return {
      source: `demo, ${LATENCY_MS} ms simulated latency`,
      points,
      p99OverheadMsAt64: at64.overheadMs.p99,
      target: 'p99OverheadMsAt64 ≤ 2',
      met: at64.overheadMs.p99 <= 2,
    };
  });
}
