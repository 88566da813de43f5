// Benchmark 5 — big documents: consent.store of 1, 5 and 25 MiB PDFs through the whole path
// (HTTP caller → hub process → connector process → folder store), with the connector's peak
// memory during each filing (sampled from /proc every 10 ms).
import { reasonOf, startCluster } from './lib/cluster.js';
import { consentParams, folderStoreAvailable, syntheticPdf } from './lib/consent.js';
import type { BenchContext } from './lib/context.js';
import { withScope } from './lib/scope.js';
import { round } from './lib/stats.js';

const SIZES_MIB = [1, 5, 25];

export async function bigDocuments(ctx: BenchContext) {
  if (!folderStoreAvailable()) {
    ctx.note('big documents: skipped — no folder document store is registered in this build');
    return { skipped: 'no folder document store in this build' };
  }
  const repeats = ctx.quick ? 1 : 3;
  const points = [];
  for (const mib of SIZES_MIB) {
    // A fresh connector per size, so that each peak belongs to that size alone.
    const point = await withScope(async (scope) => {
      const storeDir = scope.tempDir('cc-bench-store-');
      const cluster = await startCluster(scope, {
        runner: ctx.runner,
        connectors: [{ name: `bench-doc-${mib}`, config: { consentStore: { type: 'folder', path: storeDir } } }],
      });
      const connector = cluster.connectors[0]?.handle;
      if (!connector) throw new Error('no connector');
      const baseRssMb = round((connector.rssKb() ?? 0) / 1024, 1);
      let peakKb = 0;
      const sampler = setInterval(() => {
        peakKb = Math.max(peakKb, connector.rssKb() ?? 0);
      }, 10);
      const times: number[] = [];
      const failures: string[] = [];
      for (let i = 0; i < repeats; i++) {
        const params = consentParams(syntheticPdf(mib * 1024 * 1024, i));
        const t0 = performance.now();
        try {
          const res = await cluster.client.call('consent.store', params);
          const ms = performance.now() - t0;
          if (res.status === 200) times.push(ms);
          else failures.push(`HTTP ${res.status} ${reasonOf(res.body)}`);
        } catch (error) {
          failures.push(`request failed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
      }
      clearInterval(sampler);
      const best = times.length ? Math.min(...times) : Number.NaN;
      if (failures.length)
        ctx.note(`big documents ${mib} MiB: ${failures.length} of ${repeats} failed (${failures[0]})`);
      return {
        mib,
        stored: times.length,
        failed: failures.length,
        failure: failures[0] ?? null,
        bestMs: round(best, 1),
        mibPerSecond: times.length ? round(mib / (best / 1000), 1) : null,
        baseRssMb,
        peakRssMb: round(peakKb / 1024, 1),
      };
    });
    ctx.log(
      `  ${mib} MiB: ${point.stored ? `${point.bestMs} ms, ${point.mibPerSecond} MiB/s` : `failed: ${point.failure}`}, peak RSS ${point.peakRssMb} MB`,
    );
    points.push(point);
  }
  return { points };
}
