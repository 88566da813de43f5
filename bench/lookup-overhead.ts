// Benchmark 2 — lookup overhead: the same lookups made (a) through the whole path — HTTP caller →
// hub process → connector process → data source — and (b) directly against the same data source,
// at 1 and 64 concurrent. Overhead is the difference per percentile, in ms and as a ratio.
// Three sources: the demo source with 20 ms simulated latency (the headline keys), and a real FHIR
// R4 server and a real PostgreSQL, each its own process on loopback (lookup-sources.ts).
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DemoSource } from '../src/main/integrations/demo/demo-source.js';
import { startConnectorProcess } from '../test/helpers/processes.js';
import { BENCH_MAX_CONCURRENCY, demoIdentifiers, lookupThroughHub, startCluster } from './lib/cluster.js';
import type { BenchContext } from './lib/context.js';
import { measureOverhead, type OverheadPoint } from './lib/overhead.js';
import { startProtocolPlatform } from './lib/protocol-platform.js';
import { withScope } from './lib/scope.js';
import { fhirOverhead, postgresOverhead } from './lookup-sources.js';

export type { OverheadPoint } from './lib/overhead.js';

const LATENCY_MS = 20;

export async function lookupOverhead(ctx: BenchContext) {
  const demo = await demoOverhead(ctx);
  // The real sources are measured in the open loop (open-loop.ts); here only with --only overhead,
  // which keeps `npm run bench` under 10 minutes on a 2-core machine.
  if (ctx.quick || !ctx.closedLoopSources) return demo;
  // A real source that cannot be started (or fails) is reported, not allowed to hide the others.
  const fhir = await orFailure(ctx, 'FHIR', () => fhirOverhead(ctx));
  const postgres = await orFailure(ctx, 'PostgreSQL', () => postgresOverhead(ctx));
  return { ...demo, fhir, postgres };
}

async function demoOverhead(ctx: BenchContext) {
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

    const points = await measureOverhead(
      ctx,
      'demo',
      { direct: directCall, whole: wholeCall, connectorOnly: connectorCall },
      { durationMs: ctx.quick ? 3_000 : 10_000 },
    );
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

async function orFailure<T>(ctx: BenchContext, name: string, run: () => Promise<T>): Promise<T | { failed: string }> {
  try {
    return await run();
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] as string;
    ctx.note(`lookup overhead (${name}) failed: ${message}`);
    return { failed: message };
  }
}
