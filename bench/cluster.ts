// Benchmark — the hub as a cluster (three instances, a Redis and an HAProxy of their own, as in
// test/cluster/):
//   forwarding  calls/s for one connector's lookups made through the instance holding its socket,
//               then through another instance (one forwarding hop); the ratio is the forwarding cost;
//   failover    two connectors on two instances; a call (300 ms lookup) made through the third is
//               held by one of them when that instance is killed (kill -9): time from the kill to
//               the caller's answer, which the cluster retried on the other connector.
// Skipped, with a note, when redis-server or haproxy is not installed.
import { setTimeout as sleep } from 'node:timers/promises';
import { missingBinaries, startClusterSetup } from '../test/cluster/harness.js';
import { BENCH_MAX_CONCURRENCY, demoIdentifiers, lookupThroughHub } from './lib/cluster.js';
import type { BenchContext } from './lib/context.js';
import { hubClient } from './lib/http-client.js';
import { type Scope, withScope } from './lib/scope.js';
import { median, round } from './lib/stats.js';

const CONCURRENCY = 64;
const FAILOVER_LATENCY_MS = 300;

export async function cluster(ctx: BenchContext) {
  const missing = missingBinaries();
  if (missing) {
    ctx.note(`cluster: skipped, ${missing}`);
    return { skipped: missing };
  }
  const forwarding = await forwardingCost(ctx);
  const failover = await failoverAfterKill(ctx, ctx.quick ? 2 : 5);
  return { forwarding, failover };
}

async function forwardingCost(ctx: BenchContext) {
  return withScope(async (scope) => {
    const setup = await startClusterSetup(scope as never, scope.tempDir(), { tenants: ['acme'], runner: ctx.runner });
    await setup.startConnector('bench-forwarding', 'acme', { maxConcurrency: BENCH_MAX_CONCURRENCY });
    const [listed] = await setup.waitForConnectors(['bench-forwarding']);
    const holder = setup.hubs.find((h) => h.instanceId === listed?.instance);
    const other = setup.hubs.find((h) => h !== holder);
    if (!holder || !other) throw new Error('no holding instance found');
    const ids = demoIdentifiers(1000);
    const durationMs = ctx.quick ? 3_000 : 10_000;
    const throughHolder = await callsPerSecond(scope, holder.httpUrl, ids, durationMs);
    const throughOther = await callsPerSecond(scope, other.httpUrl, ids, durationMs);
    const ratio = round(throughOther.perSecond / throughHolder.perSecond, 2);
    ctx.log(
      `  forwarding: ${throughHolder.perSecond} calls/s through the holding instance, ` +
        `${throughOther.perSecond} through another (ratio ${ratio}), at ${CONCURRENCY} concurrent`,
    );
    if (throughHolder.failed + throughOther.failed > 0) {
      ctx.note(`cluster forwarding: ${throughHolder.failed + throughOther.failed} calls failed`);
    }
    return {
      concurrency: CONCURRENCY,
      seconds: durationMs / 1000,
      throughHolder,
      throughOtherInstance: throughOther,
      ratio,
    };
  });
}

async function callsPerSecond(scope: Scope, httpUrl: string, ids: string[], durationMs: number) {
  const client = hubClient(httpUrl, 'cluster-api-key-0123456789abcdef', CONCURRENCY * 2);
  scope.after(() => client.close());
  // Warm-up: keep-alive sockets and the JIT, not counted.
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => lookupThroughHub(client, ids[i] as string)));
  let done = 0;
  let failed = 0;
  const until = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      for (let i = w; performance.now() < until; i += CONCURRENCY) {
        const problem = await lookupThroughHub(client, ids[i % ids.length] as string);
        if (problem) failed++;
        else done++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: Math.round(done / seconds), calls: done, failed };
}

async function failoverAfterKill(ctx: BenchContext, trials: number) {
  return withScope(async (scope) => {
    const setup = await startClusterSetup(scope as never, scope.tempDir(), { tenants: ['acme'], runner: ctx.runner });
    const lookup = { patientLookup: { type: 'demo', latencyMs: FAILOVER_LATENCY_MS } };
    await setup.startConnector('bench-a', 'acme', lookup);
    await setup.startConnector('bench-b', 'acme', lookup);
    const ids = demoIdentifiers(50);
    const times: number[] = [];
    for (let trial = 0; trial < trials; trial++) {
      const placed = await setup.waitForConnectors(['bench-a', 'bench-b'], 30_000);
      const holders = new Set(placed.map((c) => c.instance));
      if (holders.size < 2) {
        // Both on one instance: move one (its restart lands on the least-loaded instance).
        await setup.connectors.get('bench-b')?.handle.stop();
        await setup.startConnector('bench-b', 'acme', lookup);
        trial--;
        continue;
      }
      const receiver = setup.hubs.find((h) => !holders.has(h.instanceId));
      if (!receiver) throw new Error('no instance free of connectors');
      const client = hubClient(receiver.httpUrl, 'cluster-api-key-0123456789abcdef', 4);
      scope.after(() => client.close());
      const answered = lookupThroughHub(client, ids[trial] as string);
      // Kill the instance whose connector holds the call, while it holds it.
      let victim: (typeof setup.hubs)[number] | undefined;
      const until = performance.now() + 5_000;
      while (!victim && performance.now() < until) {
        // Each holder's own sessions carry their live in-flight count (the registry's lags).
        for (const hub of setup.hubs.filter((h) => holders.has(h.instanceId))) {
          const listed = (await setup.api('/v1/connectors', hub.httpUrl)).connectors as Array<{
            instance: string;
            inFlight: number;
          }>;
          if (listed.some((c) => c.instance === hub.instanceId && c.inFlight > 0)) victim = hub;
        }
        if (!victim) await sleep(5);
      }
      if (!victim) throw new Error('the call was never seen in flight');
      const killedAt = performance.now();
      await victim.handle.killHard();
      const problem = await answered;
      const ms = performance.now() - killedAt;
      if (problem) ctx.note(`cluster failover trial ${trial + 1}: the call failed (${problem})`);
      else times.push(ms);
      await setup.startHub(setup.hubs.indexOf(victim));
    }
    const medianMs = times.length ? round(median(times), 0) : null;
    ctx.log(`  failover after kill -9 of the holding instance: median ${medianMs} ms (${times.length} trials)`);
    return {
      trials: times.length,
      medianMs,
      msEach: times.map((t) => round(t, 0)),
      lookupLatencyMs: FAILOVER_LATENCY_MS,
    };
  });
}
