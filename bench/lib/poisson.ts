// An open-loop load generator: calls start at random (Poisson) times at a fixed mean rate,
// whether or not earlier calls have answered, and each call's latency is counted from the time
// it was scheduled to start, not from when the generator got round to it. So a stall anywhere
// (the generator included) shows as latency of every call it delayed, instead of fewer calls
// being made (no coordinated omission). Latencies go into a histogram in microseconds.
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { round } from './stats.js';

export interface OpenLoopSide {
  name: string;
  /** One call; resolves to null when it succeeded, or a short failure description. */
  call: (i: number) => Promise<string | null>;
  /** Called at the start and end of each of this side's blocks (to pause a probe between them). */
  onBlock?: (phase: 'start' | 'end') => Promise<void>;
}

export interface OpenLoopSummary {
  count: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** Calls per second actually scheduled in this side's blocks. */
  ratePerSecond: number;
  /** The same calls timed from when they really started (without the generator's own lateness). */
  service: { p50Ms: number; p99Ms: number; p999Ms: number };
  failures?: string[];
}

/** A seeded generator (mulberry32), so that runs schedule the same arrivals. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs the sides in alternating blocks (A, B, A, B, …) of `blockMs`, each at `ratePerSecond`,
 * until every side has had `perSideMs`; calls still in flight when a block ends finish and count.
 * Alternating blocks give every side the same machine, however its load drifts.
 */
export async function openLoop(options: {
  ratePerSecond: number;
  perSideMs: number;
  blockMs: number;
  sides: OpenLoopSide[];
  seed?: number;
}): Promise<Record<string, OpenLoopSummary>> {
  const { ratePerSecond, blockMs, sides } = options;
  const rnd = random(options.seed ?? 1);
  const gapMs = () => (-Math.log(1 - rnd()) * 1000) / ratePerSecond;
  const blocks = Math.max(1, Math.round(options.perSideMs / blockMs)) * sides.length;
  const state = sides.map(() => ({
    histogram: createHistogram() as RecordableHistogram,
    service: createHistogram() as RecordableHistogram,
    failed: 0,
    failures: [] as string[],
    scheduled: 0,
    ms: 0,
  }));
  const inFlight = new Set<Promise<void>>();
  let index = 0;
  for (let b = 0; b < blocks; b++) {
    const which = b % sides.length;
    const side = sides[which] as OpenLoopSide;
    const s = state[which] as (typeof state)[number];
    await side.onBlock?.('start');
    const start = performance.now();
    const end = start + blockMs;
    let next = start + gapMs();
    while (next < end) {
      const now = performance.now();
      if (next > now) {
        await sleep(next - now);
        continue;
      }
      // Every call already due starts now, each timed from its own scheduled start.
      while (next <= performance.now() && next < end) {
        const scheduled = next;
        const i = index++;
        s.scheduled++;
        const started = performance.now();
        const p = side
          .call(i)
          .catch((error: Error) => error.message)
          .then((failure) => {
            if (failure === null) {
              const end = performance.now();
              s.histogram.record(Math.max(1, Math.round((end - scheduled) * 1000)));
              s.service.record(Math.max(1, Math.round((end - started) * 1000)));
            } else {
              s.failed++;
              if (s.failures.length < 5) s.failures.push(failure);
            }
          });
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        next += gapMs();
      }
    }
    // The block's remaining time passes idle (no arrival fell in it).
    const left = end - performance.now();
    if (left > 0) await sleep(left);
    s.ms += performance.now() - start;
    // The probe pauses only once this block's calls are answered: they belong to it.
    if (side.onBlock) {
      await Promise.all(inFlight);
      await side.onBlock('end');
    }
  }
  await Promise.all(inFlight);
  const result: Record<string, OpenLoopSummary> = {};
  sides.forEach((side, k) => {
    const s = state[k] as (typeof state)[number];
    const at = (h: RecordableHistogram, p: number) => (h.count ? round(h.percentile(p) / 1000, 3) : Number.NaN);
    result[side.name] = {
      count: s.histogram.count,
      failed: s.failed,
      p50Ms: at(s.histogram, 50),
      p99Ms: at(s.histogram, 99),
      p999Ms: at(s.histogram, 99.9),
      maxMs: s.histogram.count ? round(s.histogram.max / 1000, 3) : Number.NaN,
      ratePerSecond: Math.round((s.scheduled / s.ms) * 1000 * 10) / 10,
      service: { p50Ms: at(s.service, 50), p99Ms: at(s.service, 99), p999Ms: at(s.service, 99.9) },
      ...(s.failures.length ? { failures: s.failures } : {}),
    };
  });
  return result;
}
