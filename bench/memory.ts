// Benchmark 3 — memory of `cloud-connector run` (the connector process alone, read from
// /proc/<pid>/status): idle after 60 s connected; after a round of 100,000 lookups and 500
// consent filings of 200 KB; and again after a second round of 100,000 lookups (leak check).
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { procStatusKb } from '../test/helpers/processes.js';
import { demoIdentifiers, lookupThroughHub, reasonOf, startCluster } from './lib/cluster.js';
import { consentParams, folderStoreAvailable, syntheticPdf } from './lib/consent.js';
import type { BenchContext } from './lib/context.js';
import { runLoad } from './lib/load.js';
import { withScope } from './lib/scope.js';
import { round } from './lib/stats.js';

const MB = 1024; // /proc reports KiB; results are MiB ("MB" in the report)

export async function memory(ctx: BenchContext) {
  return withScope(async (scope) => {
    const idleMs = ctx.quick ? 10_000 : 60_000;
    const lookups = ctx.quick ? 20_000 : 100_000;
    const filings = ctx.quick ? 100 : 500;
    const settleMs = 3_000;
    const withFolder = folderStoreAvailable();
    const storeDir = scope.tempDir('cc-bench-store-');
    if (!withFolder) ctx.note('memory: consent filings skipped — no folder document store is registered in this build');
    const cluster = await startCluster(scope, {
      runner: ctx.runner,
      connectors: [
        {
          name: 'bench-memory',
          config: withFolder ? { consentStore: { type: 'folder', path: storeDir } } : {},
        },
      ],
    });
    const connector = cluster.connectors[0]?.handle;
    if (!connector) throw new Error('no connector');
    const rssMb = () => round((connector.rssKb() ?? Number.NaN) / MB, 1);
    const startRssMb = rssMb();
    const nodeBaselineRssMb = await bareNodeRssMb();

    ctx.log(`  idle for ${idleMs / 1000} s…`);
    await sleep(idleMs);
    const idleRssMb = rssMb();

    const ids = demoIdentifiers(10_000);
    const lookupRound = async () => {
      const r = await runLoad({
        concurrency: 64,
        total: lookups,
        call: (i) => lookupThroughHub(cluster.client, ids[i % ids.length] as string),
      });
      if (r.failed > 0) ctx.note(`memory: ${r.failed} of ${lookups} lookups failed (${r.failures.join('; ')})`);
      return r;
    };

    const round1 = await lookupRound();
    ctx.log(`  round 1: ${lookups} lookups at ${round1.perSecond}/s`);
    let filed = 0;
    if (withFolder) {
      const pdf = syntheticPdf(200 * 1024);
      const r = await runLoad({
        concurrency: 8,
        total: filings,
        call: async () => {
          const res = await cluster.client.call('consent.store', consentParams(pdf));
          return res.status === 200 ? null : `HTTP ${res.status} ${reasonOf(res.body)}`;
        },
      });
      filed = r.ok;
      if (r.failed > 0) ctx.note(`memory: ${r.failed} of ${filings} consent filings failed (${r.failures.join('; ')})`);
      ctx.log(`  ${filed} consent filings of 200 KB at ${r.perSecond}/s`);
    }
    await sleep(settleMs);
    const afterRound1RssMb = rssMb();

    const round2 = await lookupRound();
    ctx.log(`  round 2: ${lookups} lookups at ${round2.perSecond}/s`);
    await sleep(settleMs);
    const afterRound2RssMb = rssMb();
    const peakRssMb = round((connector.peakRssKb() ?? Number.NaN) / MB, 1);
    const growthPercent = round(((afterRound2RssMb - afterRound1RssMb) / afterRound1RssMb) * 100, 1);

    return {
      startRssMb,
      nodeBaselineRssMb,
      idleAfterS: idleMs / 1000,
      idleRssMb,
      lookupsPerRound: lookups,
      consentFilings: filed,
      consentFilingBytes: withFolder ? 200 * 1024 : 0,
      afterRound1RssMb,
      afterRound2RssMb,
      peakRssMb,
      growthPercent,
      targets: 'idleRssMb ≤ 55, growthPercent ≤ 5',
      met: idleRssMb <= 55 && growthPercent <= 5,
    };
  });
}

/** The floor: RSS of a Node process that loads nothing and waits (same node binary). */
async function bareNodeRssMb(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  try {
    await sleep(1_500);
    return round((procStatusKb(child.pid as number, 'VmRSS') ?? Number.NaN) / MB, 1);
  } finally {
    child.kill('SIGKILL');
  }
}
