// Calls through the public API as a platform user makes them, with an optional Idempotency-Key
// and one retry with the same key when the instance that took the call vanished (connection reset,
// or the load balancer's 502/503): the contract a caller of a cluster relies on.
import { setTimeout as sleep } from 'node:timers/promises';
import { API_KEY } from './harness.js';

export interface CallResult {
  tenant: string;
  method: string;
  status: number | null;
  reason: string | null;
  body: any;
  startedAt: number;
  endedAt: number;
  /** Attempts made (2 when the first was lost with its instance and retried). */
  attempts: number;
}

export async function call(
  baseUrl: string,
  tenant: string,
  method: string,
  params: unknown,
  options: { idempotencyKey?: string; retryLost?: boolean; timeoutMs?: number } = {},
): Promise<CallResult> {
  const startedAt = performance.now();
  let attempts = 0;
  for (;;) {
    attempts++;
    const result = await once(baseUrl, tenant, method, params, options);
    const lost = result.status === null || ((result.status === 502 || result.status === 503) && result.reason === null);
    if (!(lost && options.retryLost && attempts < 2)) {
      return { tenant, method, ...result, startedAt, endedAt: performance.now(), attempts };
    }
    await sleep(100);
  }
}

async function once(
  baseUrl: string,
  tenant: string,
  method: string,
  params: unknown,
  options: { idempotencyKey?: string; timeoutMs?: number },
): Promise<{ status: number | null; reason: string | null; body: any }> {
  try {
    const res = await fetch(`${baseUrl}/v1/${tenant}/demo/rpc/${method}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${API_KEY}`,
        'content-type': 'application/json',
        ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
      },
      body: JSON.stringify(params),
      signal: AbortSignal.timeout(options.timeoutMs ?? 90_000),
    });
    const text = await res.text();
    let body: any = null;
    try {
      body = JSON.parse(text);
    } catch {
      // HAProxy's own error pages are HTML
    }
    return { status: res.status, reason: body?.error?.reason ?? null, body };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { status: null, reason: cause?.code ?? (error as Error).name, body: null };
  }
}

export interface SteadyLoad {
  results: CallResult[];
  stop(): Promise<CallResult[]>;
  waitForCalls(count: number, timeoutMs?: number): Promise<void>;
}

/** Workers calling in a loop; `next(n)` says where (base URL), for whom and what. */
export function steadyLoad(
  workers: number,
  next: (n: number) => { baseUrl: string; tenant: string; method: string; params: unknown; idempotencyKey?: string },
  pauseMs = 20,
): SteadyLoad {
  const results: CallResult[] = [];
  let running = true;
  let n = 0;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      const c = next(n++);
      results.push(
        await call(c.baseUrl, c.tenant, c.method, c.params, { idempotencyKey: c.idempotencyKey, retryLost: true }),
      );
      await sleep(pauseMs);
    }
  });
  return {
    results,
    async stop() {
      running = false;
      await Promise.all(loops);
      return results;
    },
    async waitForCalls(count, timeoutMs = 30_000) {
      const target = results.length + count;
      const until = Date.now() + timeoutMs;
      while (results.length < target) {
        if (Date.now() > until) throw new Error(`only ${results.length} of ${target} calls answered in time`);
        await sleep(25);
      }
    },
  };
}

export function describeFailures(results: CallResult[]): string {
  return results
    .filter((r) => r.status !== 200)
    .slice(0, 20)
    .map((r) => `${r.tenant} ${r.method} → ${r.status ?? 'no answer'} ${r.reason ?? ''}`)
    .join('\n');
}
