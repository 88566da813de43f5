// A steady stream of calls through the hub's HTTP API, as the platform's users make them, with
// every outcome kept: the tests then count what failed and why.
import { setTimeout as sleep } from 'node:timers/promises';

export interface CallRecord {
  method: string;
  startedAt: number;
  endedAt: number;
  /** HTTP status, or null when the hub could not be reached at all. */
  status: number | null;
  /** The error reason in the hub's answer, or the network error's code. */
  reason: string | null;
  body: any;
}

export interface LoadOptions {
  httpUrl: string;
  apiKey: string;
  tenant?: string;
  environment?: string;
  /** Calls kept in flight at once. */
  concurrency?: number;
  /** Pause between one call's answer and the next call, per worker. */
  pauseMs?: number;
  /** Makes each call: method and params (called once per call, with its sequence number). */
  next: (n: number) => { method: string; params: unknown };
}

export interface Load {
  records: CallRecord[];
  /** Stops starting calls and waits for those in flight; returns every record. */
  stop(): Promise<CallRecord[]>;
  /** Resolves once at least `count` more calls have been answered (any outcome). */
  waitForCalls(count: number, timeoutMs?: number): Promise<void>;
}

export function startLoad(options: LoadOptions): Load {
  const records: CallRecord[] = [];
  let running = true;
  let n = 0;
  const worker = async () => {
    while (running) {
      const { method, params } = options.next(n++);
      records.push(await callOnce(options, method, params));
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  const workers = Array.from({ length: options.concurrency ?? 4 }, () => worker());
  return {
    records,
    async stop() {
      running = false;
      await Promise.all(workers);
      return records;
    },
    async waitForCalls(count, timeoutMs = 20_000) {
      const target = records.length + count;
      const until = Date.now() + timeoutMs;
      while (records.length < target) {
        if (Date.now() > until) throw new Error(`only ${records.length} of ${target} calls answered in time`);
        await sleep(20);
      }
    },
  };
}

export async function callOnce(options: LoadOptions, method: string, params: unknown): Promise<CallRecord> {
  const startedAt = performance.now();
  const url = `${options.httpUrl}/v1/${options.tenant ?? 'acme'}/${options.environment ?? 'demo'}/rpc/${method}`;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(params),
      signal: AbortSignal.timeout(90_000),
    });
    const body = await res.json();
    return {
      method,
      startedAt,
      endedAt: performance.now(),
      status: res.status,
      reason: body?.error?.reason ?? null,
      body,
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return {
      method,
      startedAt,
      endedAt: performance.now(),
      status: null,
      reason: cause?.code ?? (error as Error).name,
      body: null,
    };
  }
}

/** One line per failed call, for assertion messages. */
export function describeFailures(records: CallRecord[]): string {
  return records
    .filter((r) => r.status !== 200)
    .map((r) => `${r.method} → ${r.status ?? 'no answer'} ${r.reason ?? ''}`)
    .join('\n');
}
