// Benchmark 1 — protocol ceiling: round trips per second at 1, 16 and 256 calls in flight, side by
// side in one run:
//   bare      a bare `ws` client ↔ echo server (separate process), same message sizes;
//   protocol  platform session (the hub's ConnectorSession, in this process) → connector process
//             → demo source (0 ms): the protocol and the connector, without HTTP;
//   http      HTTP caller → hub process → connector process → demo source: the whole product path.
// bare and protocol run as many short alternating rounds (bare, protocol, bare, protocol …); each
// pair gives a ratio, and the point reports their median with min and max, so that one noisy
// second on a shared machine does not decide it. A round's rate counts only the answers after its
// first quarter and before its deadline: the pipeline filling and the drain would otherwise
// weigh on a short round, more on the side with the longer latency. http runs once per point.

import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startConnectorProcess } from '../test/helpers/processes.js';
import { BENCH_MAX_CONCURRENCY, demoIdentifiers, lookupThroughHub, startCluster } from './lib/cluster.js';
import type { BenchContext } from './lib/context.js';
import { connectEcho, echoLoad, startEchoServer } from './lib/echo-client.js';
import { type LoadResult, runLoad } from './lib/load.js';
import { startProtocolPlatform } from './lib/protocol-platform.js';
import { withScope } from './lib/scope.js';
import { median, round, summarise } from './lib/stats.js';

export const CONCURRENCY = [1, 16, 256] as const;
/** Odd, so that the median is one pair's ratio. */
const PAIRS = { full: 11, quick: 7 };
const ROUND_MS = { full: 400, quick: 240 };

export interface CeilingPoint {
  concurrency: number;
  bareRps: number;
  protocolRps: number;
  httpRps: number;
  /** Median over the pairs of protocol ÷ bare. */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  pairRatios: number[];
  httpRatio: number;
  protocolP50Ms: number;
  protocolP99Ms: number;
  bareP99Ms: number;
}

export async function protocolCeiling(ctx: BenchContext) {
  return withScope(async (scope) => {
    const durationMs = ctx.quick ? 1_500 : 4_000;
    const pairs = ctx.quick ? PAIRS.quick : PAIRS.full;
    const roundMs = ctx.quick ? ROUND_MS.quick : ROUND_MS.full;
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
      await runLoad({ concurrency: c, total: warmup, call: protocolCall });
      const bare: LoadResult[] = [];
      const protocol: LoadResult[] = [];
      for (let k = 0; k < pairs; k++) {
        bare.push(await echoLoad(echo, requestText, c, roundMs, roundMs / 4));
        protocol.push(
          await runLoad({ concurrency: c, durationMs: roundMs, steadyAfterMs: roundMs / 4, call: protocolCall }),
        );
      }
      const http = await runLoad({ concurrency: c, durationMs, warmup, steadyAfterMs: 0, call: httpCall });
      const httpRps = rate([http]);
      const failed = protocol.reduce((n, r) => n + r.failed, 0) + http.failed;
      if (failed > 0) {
        const reasons = [...new Set([...protocol.flatMap((r) => r.failures), ...http.failures])].slice(0, 5);
        ctx.note(`protocol ceiling c=${c}: ${failed} failed calls (${reasons.join('; ')})`);
      }
      const pairRatios = bare.map((b, k) => round(rate([protocol[k] as LoadResult]) / rate([b]), 3));
      const bareRps = rate(bare);
      const p = summarise(protocol.flatMap((r) => r.latencies));
      points.push({
        concurrency: c,
        bareRps,
        protocolRps: rate(protocol),
        httpRps,
        ratio: median(pairRatios),
        ratioMin: Math.min(...pairRatios),
        ratioMax: Math.max(...pairRatios),
        pairRatios,
        httpRatio: round(httpRps / bareRps, 3),
        protocolP50Ms: p.p50,
        protocolP99Ms: p.p99,
        bareP99Ms: summarise(bare.flatMap((r) => r.latencies)).p99,
      });
      ctx.log(
        `  c=${c}: bare ${bareRps}/s, protocol ${rate(protocol)}/s, ratio median ${median(pairRatios)} (${Math.min(...pairRatios)}–${Math.max(...pairRatios)} over ${pairs} pairs), http ${httpRps}/s`,
      );
    }
    const at256 = points.find((p) => p.concurrency === 256) as CeilingPoint;
    return {
      requestBytes: Buffer.byteLength(requestText),
      replyBytes: Buffer.byteLength(replyText),
      pairsPerPoint: pairs,
      roundMs,
      httpDurationMs: durationMs,
      points,
      ratioAt256: at256.ratio,
      ratioAt256Range: [at256.ratioMin, at256.ratioMax],
      httpRatioAt256: at256.httpRatio,
      target: 'ratioAt256 ≥ 0.6',
      met: at256.ratio >= 0.6,
    };
  });
}

/** Calls per second over rounds: the answers in their steady windows over those windows' length. */
function rate(rounds: LoadResult[]): number {
  const calls = rounds.reduce((n, r) => n + (r.steady?.ok ?? r.ok), 0);
  const ms = rounds.reduce((n, r) => n + (r.steady?.ms ?? r.elapsedMs), 0);
  return Math.round((calls / ms) * 1000);
}
