// A closed-loop load generator: `concurrency` workers each start a new call as soon as their last
// one answers, for a fixed time or a fixed total. Latencies are per call, in milliseconds.

export interface LoadResult {
  latencies: number[];
  ok: number;
  failed: number;
  elapsedMs: number;
  perSecond: number;
  /** First few failure descriptions (status and reason), for the report. */
  failures: string[];
  /**
   * With `steadyAfterMs`: the calls answered between that point and the deadline, and that
   * window's length. Leaves out the start (the pipeline filling) and the drain after the
   * deadline, which in a short round would weigh more on the side with the longer latency.
   */
  steady?: { ok: number; ms: number };
}

export interface LoadOptions {
  concurrency: number;
  /** Stop starting calls after this long… */
  durationMs?: number;
  /** …or after this many calls in total. */
  total?: number;
  /** Calls made before measuring, not counted. */
  warmup?: number;
  /** With durationMs: also count the calls answered from this long after the start to the deadline. */
  steadyAfterMs?: number;
  /** One call; resolves to null when it succeeded, or a short failure description. */
  call: (i: number) => Promise<string | null>;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { concurrency, call } = options;
  if (options.warmup) {
    let w = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, options.warmup) }, async () => {
        while (w < (options.warmup as number)) {
          w++;
          await call(w).catch(() => null);
        }
      }),
    );
  }
  const latencies: number[] = [];
  const failures: string[] = [];
  let failed = 0;
  let started = 0;
  let steadyOk = 0;
  const t0 = performance.now();
  const deadline = options.durationMs !== undefined ? t0 + options.durationMs : Number.POSITIVE_INFINITY;
  const steadyFrom = t0 + (options.steadyAfterMs ?? 0);
  const total = options.total ?? Number.POSITIVE_INFINITY;
  const worker = async () => {
    while (started < total && performance.now() < deadline) {
      const i = started++;
      const s = performance.now();
      let failure: string | null;
      try {
        failure = await call(i);
      } catch (error) {
        failure = (error as Error).message;
      }
      if (failure === null) {
        const end = performance.now();
        latencies.push(end - s);
        if (end >= steadyFrom && end <= deadline) steadyOk++;
      } else {
        failed++;
        if (failures.length < 5) failures.push(failure);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - t0;
  return {
    latencies,
    ok: latencies.length,
    failed,
    elapsedMs,
    perSecond: Math.round((latencies.length / elapsedMs) * 1000),
    failures,
    ...(options.steadyAfterMs !== undefined && options.durationMs !== undefined
      ? { steady: { ok: steadyOk, ms: options.durationMs - options.steadyAfterMs } }
      : {}),
  };
}
