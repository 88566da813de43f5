// Drives a bare WebSocket echo server at a fixed number of messages in flight on one connection.
import WebSocket from 'ws';
import { startChildServer } from './child-server.js';
import type { LoadResult } from './load.js';
import type { Scope } from './scope.js';

export async function startEchoServer(scope: Scope, replyBytes: number): Promise<string> {
  const { port } = await startChildServer(scope, 'bench/lib/echo-server.ts', [String(replyBytes)]);
  return `ws://127.0.0.1:${port}`;
}

export async function connectEcho(scope: Scope, url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  scope.after(() => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

/**
 * Keeps `concurrency` messages of `message` in flight for `durationMs`; answers come back in order.
 * With `steadyAfterMs`, also counts the answers from then to the deadline (LoadResult.steady).
 */
export function echoLoad(
  ws: WebSocket,
  message: string,
  concurrency: number,
  durationMs: number,
  steadyAfterMs?: number,
): Promise<LoadResult> {
  return new Promise((resolve) => {
    const sentAt: number[] = [];
    let head = 0;
    let steadyOk = 0;
    const latencies: number[] = [];
    const t0 = performance.now();
    const deadline = t0 + durationMs;
    const steadyFrom = t0 + (steadyAfterMs ?? 0);
    const send = () => {
      sentAt.push(performance.now());
      ws.send(message);
    };
    const onMessage = () => {
      const now = performance.now();
      latencies.push(now - (sentAt[head++] as number));
      if (now >= steadyFrom && now <= deadline) steadyOk++;
      if (now < deadline) send();
      else if (head === sentAt.length) {
        ws.off('message', onMessage);
        const elapsedMs = now - t0;
        resolve({
          latencies,
          ok: latencies.length,
          failed: 0,
          elapsedMs,
          perSecond: Math.round((latencies.length / elapsedMs) * 1000),
          failures: [],
          ...(steadyAfterMs !== undefined ? { steady: { ok: steadyOk, ms: durationMs - steadyAfterMs } } : {}),
        });
      }
    };
    ws.on('message', onMessage);
    for (let i = 0; i < concurrency; i++) send();
  });
}
