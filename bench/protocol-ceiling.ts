// Benchmark 1 — protocol ceiling: round trips per second at 1, 16 and 256 calls in flight, side by
// side in one run:
//   bare      a bare `ws` client ↔ echo server (separate process), same message sizes;
//   protocol  platform session (the hub's ConnectorSession, in this process) → connector process
//             → demo source (0 ms): the protocol and the connector, without HTTP;
//   http      HTTP caller → hub process → connector process → demo source: the whole product path.

import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startConnectorProcess } from '../test/helpers/processes.js';
import { BENCH_MAX_CONCURRENCY, demoIdentifiers, lookupThroughHub, startCluster } from './lib/cluster.js';
import type { BenchContext } from './lib/context.js';
import { connectEcho, echoLoad, startEchoServer } from './lib/echo-client.js';
import { runLoad } from './lib/load.js';
import { startProtocolPlatform } from './lib/protocol-platform.js';
import { withScope } from './lib/scope.js';
import { round, summarise } from './lib/stats.js';

export const CONCURRENCY = [1, 16, 256] as const;

export interface CeilingPoint {
  concurrency: number;
  bareRps: number;
  protocolRps: number;
  httpRps: number;
  ratio: number;
  httpRatio: number;
  protocolP50Ms: number;
  protocolP99Ms: number;
  bareP99Ms: number;
}

export async function protocolCeiling(ctx: BenchContext) {
  return withScope(async (scope) => {
    const durationMs = ctx.quick ? 1_500 : 4_000;
    const ids = demoIdentifiers(1000);

    // The connector under test for the protocol-only path.
    const platform = await startProtocolPlatform();
    scope.after(() => platform.close());
    const dir = scope.tempDir();
    mkdirSync(path.join(dir, 'c'), { recursive: true });
    startConnectorProcess(scope, {
      dir: path.join(dir, 'c'),
      token: `cc_demo_${randomBytes(24).toString('base64url')}`,
      runner: ctx.runner,
      config: { platformUrl: platform.wsUrl, maxConcurrency: BENCH_MAX_CONCURRENCY },
    });
    const session = await platform.session();

    // The same message sizes for the bare echo: one real request and its answer.
    const sample = await session.call('patient.lookup', { identificationNumber: ids[0] }, 10_000);
    const requestText = JSON.stringify({
      jsonrpc: '2.0',
      id: 100_000,
      method: 'patient.lookup',
      params: { identificationNumber: ids[0] },
    });
    if (sample.kind !== 'result') throw new Error(`the sample lookup failed: ${sample.kind}`);
    const replyText = JSON.stringify({ jsonrpc: '2.0', id: 100_000, result: sample.result });
    const echoUrl = await startEchoServer(scope, Buffer.byteLength(replyText));
    const echo = await connectEcho(scope, echoUrl);

    const cluster = await startCluster(scope, { runner: ctx.runner, connectors: [{ name: 'bench-ceiling' }] });

    const protocolCall = async (i: number) => {
      const outcome = await session.call('patient.lookup', { identificationNumber: ids[i % ids.length] }, 10_000);
      return outcome.kind === 'result' ? null : `${outcome.kind}`;
    };
    const httpCall = (i: number) => lookupThroughHub(cluster.client, ids[i % ids.length] as string);

    const points: CeilingPoint[] = [];
    for (const c of CONCURRENCY) {
      const warmup = Math.max(200, c * 10);
      await echoLoad(echo, requestText, c, 300);
      const bare = await echoLoad(echo, requestText, c, durationMs);
      const protocol = await runLoad({ concurrency: c, durationMs, warmup, call: protocolCall });
      const http = await runLoad({ concurrency: c, durationMs, warmup, call: httpCall });
      const failed = protocol.failed + http.failed;
      if (failed > 0)
        ctx.note(
          `protocol ceiling c=${c}: ${failed} failed calls (${[...protocol.failures, ...http.failures].join('; ')})`,
        );
      const p = summarise(protocol.latencies);
      points.push({
        concurrency: c,
        bareRps: bare.perSecond,
        protocolRps: protocol.perSecond,
        httpRps: http.perSecond,
        ratio: round(protocol.perSecond / bare.perSecond, 3),
        httpRatio: round(http.perSecond / bare.perSecond, 3),
        protocolP50Ms: p.p50,
        protocolP99Ms: p.p99,
        bareP99Ms: summarise(bare.latencies).p99,
      });
      ctx.log(`  c=${c}: bare ${bare.perSecond}/s, protocol ${protocol.perSecond}/s, http ${http.perSecond}/s`);
    }
    const at256 = points.find((p) => p.concurrency === 256) as CeilingPoint;
    return {
      requestBytes: Buffer.byteLength(requestText),
      replyBytes: Buffer.byteLength(replyText),
      durationMsPerPoint: durationMs,
      points,
      ratioAt256: at256.ratio,
      httpRatioAt256: at256.httpRatio,
      target: 'ratioAt256 ≥ 0.5',
      met: at256.ratio >= 0.5,
    };
  });
}
