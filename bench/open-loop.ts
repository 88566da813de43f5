// Open-loop latency: lookups at fixed mean rates with random (Poisson) arrivals — 10, 100 and
// 1,000 a second — through the whole path (HTTP → hub process → connector process → source) and
// straight at the same source from this process, in alternating one-second blocks, for the demo
// source, a real FHIR server and a real PostgreSQL (each its own process, lib/real-sources.ts).
// Latency counts from each call's scheduled start (lib/poisson.ts). Per rate: p50, p99 and
// p99.9 of both sides and their difference (overhead), the connector's own receive-to-send time
// from its audit log, and its event-loop delay while the whole path is loaded
// (lib/event-loop-probe.mjs). See docs/performance.md §2.
import { DemoSource } from '../src/main/integrations/demo/demo-source.js';
import { demoIdentifiers, lookupThroughHub, startCluster } from './lib/cluster.js';
import { type ConnectorProbe, connectorProbe } from './lib/connector-probe.js';
import type { BenchContext } from './lib/context.js';
import { type OpenLoopSummary, openLoop } from './lib/poisson.js';
import { type SourceLookups, startFhirLookups, startPostgresLookups } from './lib/real-sources.js';
import { type Scope, withScope } from './lib/scope.js';
import { percentile, round } from './lib/stats.js';

const RATES = [10, 100, 1000] as const;
const BLOCK_MS = 1_000;
/** The connector-added p99 target at 100 lookups a second, for every source. */
const TARGET_CONNECTOR_P99_MS = 2;
const TARGET_EVENT_LOOP_P99_MS = 2;

type SourceName = 'demo' | 'fhir' | 'postgres';

export async function openLoopLatency(ctx: BenchContext) {
  const result: Record<string, unknown> = {};
  for (const source of ['demo', 'fhir', 'postgres'] as const) {
    try {
      result[source] = await withScope((scope) => measureSource(ctx, scope, source));
    } catch (error) {
      const message = (error as Error).message.split('\n')[0] as string;
      ctx.note(`open loop (${source}) failed: ${message}`);
      result[source] = { failed: message };
    }
  }
  return result;
}

/** Seconds per side at each rate: enough calls for a p99 (and at 1,000/s a p99.9) in a run under 10 minutes. */
function perSideMs(ctx: BenchContext, rate: number): number {
  if (ctx.quick) return 2_000;
  return rate === 1000 ? 3_000 : 6_000;
}

async function measureSource(ctx: BenchContext, scope: Scope, source: SourceName) {
  const probe = connectorProbe(scope.tempDir('cc-probe-'));
  const lookups =
    source === 'demo' ? await startDemoLookups(scope, ctx, probe) : await startReal(scope, ctx, source, probe);
  probe.attach(lookups.connector);
  const byRate: Record<string, unknown> = {};
  // A quick run: the target rates only (100/s for every source, 1,000/s for the demo's event loop).
  const rates = ctx.quick ? (source === 'demo' ? [100, 1000] : [100]) : RATES;
  for (const rate of rates) {
    // Warm both sides (JIT, sockets, pools), not counted.
    await openLoop({
      ratePerSecond: rate,
      perSideMs: ctx.quick ? 500 : 1_000,
      blockMs: 500,
      sides: [
        { name: 'whole', call: lookups.wholeCall },
        { name: 'direct', call: lookups.directCall },
      ],
    });
    const before = await probe.auditMark();
    await probe.eventLoop('off');
    await probe.eventLoop('reset');
    const sides = await openLoop({
      ratePerSecond: rate,
      perSideMs: perSideMs(ctx, rate),
      blockMs: BLOCK_MS,
      seed: rate,
      sides: [
        {
          name: 'whole',
          call: lookups.wholeCall,
          onBlock: async (phase) => {
            await probe.eventLoop(phase === 'start' ? 'on' : 'off');
          },
        },
        { name: 'direct', call: lookups.directCall },
      ],
    });
    const eventLoop = await probe.eventLoop('report');
    const after = await probe.auditMark();
    const receiveToSend = probe.durationsBetween(before, after).sort((a, b) => a - b);
    const point = summarise(sides.whole as OpenLoopSummary, sides.direct as OpenLoopSummary, receiveToSend, eventLoop);
    for (const [name, side] of Object.entries(sides)) {
      if (side.failed > 0) ctx.note(`open loop (${source}) at ${rate}/s: ${side.failed} ${name} calls failed`);
    }
    if (receiveToSend.length !== (sides.whole as OpenLoopSummary).count) {
      ctx.note(
        `open loop (${source}) at ${rate}/s: the audit log has ${receiveToSend.length} lookups for ${(sides.whole as OpenLoopSummary).count} answered through the hub`,
      );
    }
    byRate[`at${rate}`] = point;
    ctx.log(
      `  ${source} at ${rate}/s: whole p50/p99/p99.9 ${point.whole.p50Ms}/${point.whole.p99Ms}/${point.whole.p999Ms} ms, ` +
        `direct ${point.direct.p50Ms}/${point.direct.p99Ms}/${point.direct.p999Ms} ms, overhead p99 ${point.overheadP99Ms} ms, ` +
        `connector p99 ${point.connectorP99Ms} ms, event loop p99 ${point.eventLoopP99Ms} ms`,
    );
  }
  const at100 = byRate.at100 as ReturnType<typeof summarise>;
  return {
    ...lookups.about,
    ...byRate,
    target: `connectorP99Ms at 100/s ≤ ${TARGET_CONNECTOR_P99_MS}${source === 'demo' ? `; eventLoopP99Ms at 1000/s ≤ ${TARGET_EVENT_LOOP_P99_MS}` : ''}`,
    met:
      at100.connectorP99Ms <= TARGET_CONNECTOR_P99_MS &&
      (source !== 'demo' || (byRate.at1000 as ReturnType<typeof summarise>).eventLoopP99Ms <= TARGET_EVENT_LOOP_P99_MS),
  };
}

function summarise(
  whole: OpenLoopSummary,
  direct: OpenLoopSummary,
  receiveToSend: number[],
  eventLoop: { p99Ms: number; maxMs: number; count: number },
) {
  const at = (p: number) => round(percentile(receiveToSend, p), 3);
  const connector = { count: receiveToSend.length, p50Ms: at(50), p99Ms: at(99), p999Ms: at(99.9) };
  return {
    whole,
    direct,
    overheadP50Ms: round(whole.p50Ms - direct.p50Ms, 3),
    overheadP99Ms: round(whole.p99Ms - direct.p99Ms, 3),
    overheadP999Ms: round(whole.p999Ms - direct.p999Ms, 3),
    /** The connector's receive-to-send time (includes the source's own time). */
    connectorReceiveToSend: connector,
    /** What the connector adds: its receive-to-send time less the direct call's own duration
     * (from its real start, so without the load generator's lateness), per percentile. */
    connectorP50Ms: round(connector.p50Ms - direct.service.p50Ms, 3),
    connectorP99Ms: round(connector.p99Ms - direct.service.p99Ms, 3),
    connectorP999Ms: round(connector.p999Ms - direct.service.p999Ms, 3),
    eventLoopP99Ms: eventLoop.p99Ms,
    eventLoopMaxMs: eventLoop.maxMs,
  };
}

async function startReal(scope: Scope, ctx: BenchContext, source: 'fhir' | 'postgres', probe: ConnectorProbe) {
  return source === 'fhir'
    ? startFhirLookups(scope, ctx, probe.extras)
    : startPostgresLookups(scope, ctx, probe.extras);
}

/** The demo source without simulated latency: the direct call is the lookup itself, in this process. */
async function startDemoLookups(scope: Scope, ctx: BenchContext, probe: ConnectorProbe): Promise<SourceLookups> {
  const cluster = await startCluster(scope, { runner: ctx.runner, connectors: [] });
  const connector = await cluster.addConnector({
    ...probe.extras,
    name: 'bench-open-loop',
    config: { ...probe.extras.config, patientLookup: { type: 'demo', latencyMs: 0 } },
  });
  const ids = demoIdentifiers(1000);
  const direct = new DemoSource({ type: 'demo', latencyMs: 0 });
  return {
    cluster,
    connector,
    directCall: async (i) => {
      const found = await direct.lookup(ids[i % ids.length] as string, { signal: new AbortController().signal });
      return found.length === 1 ? null : 'no patient';
    },
    wholeCall: (i) => lookupThroughHub(cluster.client, ids[i % ids.length] as string),
    about: {
      source: 'demo, no simulated latency (the lookup itself in the connector, or in this process for direct)',
      request: 'patient.lookup by local identifier, 1,000 different demo patients',
      direct: 'DemoSource.lookup in the benchmark process',
    },
  };
}
