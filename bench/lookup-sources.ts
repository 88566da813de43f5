// Lookup overhead against real data sources, each its own process on loopback (the set-ups and
// their checks are in lib/real-sources.ts), at 1 and 64 concurrent in closed loop.
import type { BenchContext } from './lib/context.js';
import { measureOverhead, type OverheadPoint } from './lib/overhead.js';
import { type SourceLookups, startFhirLookups, startPostgresLookups } from './lib/real-sources.js';
import { withScope } from './lib/scope.js';

const durationMs = (ctx: BenchContext) => (ctx.quick ? 3_000 : 6_000);
const MIN_WARMUP = 100;

export function fhirOverhead(ctx: BenchContext) {
  return withScope(async (scope) => measure(ctx, 'fhir', await startFhirLookups(scope, ctx)));
}

export function postgresOverhead(ctx: BenchContext) {
  return withScope(async (scope) => measure(ctx, 'postgres', await startPostgresLookups(scope, ctx)));
}

async function measure(ctx: BenchContext, label: string, lookups: SourceLookups) {
  const points = await measureOverhead(
    ctx,
    label,
    { direct: lookups.directCall, whole: lookups.wholeCall },
    { durationMs: durationMs(ctx), minWarmup: MIN_WARMUP },
  );
  return summary(points, lookups.about);
}

function summary(points: OverheadPoint[], about: { source: string; request: string; direct: string }) {
  const at1 = points.find((p) => p.concurrency === 1) as OverheadPoint;
  const at64 = points.find((p) => p.concurrency === 64) as OverheadPoint;
  return {
    ...about,
    points,
    p50OverheadMsAt1: at1.overheadMs.p50,
    p99OverheadMsAt64: at64.overheadMs.p99,
  };
}
