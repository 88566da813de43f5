// Benchmark 4 — recovery, each with real processes and a loopback TCP proxy:
//   reconnect   the platform drops the connection and is reachable again at once: time until the
//               connector is connected again, with its backoff at the first step (default timers:
//               a random wait of 0–1 s, then the handshake);
//   hubRestart  kill -9 of the hub process and a new one on the same port: from "hub listening"
//               to connected (default timers; the backoff is wherever its retries had got to);
//   blackhole   the proxy stops passing bytes: time until the connector declares the connection
//               dead, with shortened heartbeat timers (ping 1 s, dead after 3 s);
//   failover    two connectors; the one holding a call (300 ms lookup) is killed with kill -9:
//               time from the kill to the caller's answer, which the hub retried on the other.
import { setTimeout as sleep } from 'node:timers/promises';
import { startHubProcess } from '../test/helpers/processes.js';
import { startTcpProxy } from '../test/helpers/tcp-proxy.js';
import { demoIdentifiers, startCluster } from './lib/cluster.js';
import type { BenchContext } from './lib/context.js';
import { withScope } from './lib/scope.js';
import { median, round } from './lib/stats.js';

const FAST_HEARTBEAT = { pingIntervalMs: 1_000, deadAfterMs: 3_000 };
const FAILOVER_LATENCY_MS = 300;

export async function recovery(ctx: BenchContext) {
  const trials = ctx.quick
    ? { reconnect: 5, hubRestart: 1, blackhole: 1, failover: 2 }
    : { reconnect: 15, hubRestart: 3, blackhole: 3, failover: 5 };
  const reconnect = await reconnectAfterDrop(ctx, trials.reconnect);
  const hubRestart = await reconnectAfterHubRestart(ctx, trials.hubRestart);
  const blackhole = await blackholeDetection(ctx, trials.blackhole);
  const failover = await failoverOnKill(ctx, trials.failover);
  return {
    reconnectMs: reconnect.medianMs,
    reconnect,
    hubRestart,
    blackhole,
    failover,
  };
}

async function reconnectAfterDrop(ctx: BenchContext, trials: number) {
  return withScope(async (scope) => {
    const cluster = await startCluster(scope, { runner: ctx.runner, connectors: [] });
    const proxy = await startTcpProxy(cluster.hub.port);
    scope.after(() => proxy.close());
    // backoffResetAfterMs 1: every trial starts with the backoff at its first step (default 1 s).
    const c = await cluster.addConnector({
      name: 'bench-reconnect',
      platformUrl: proxy.url(cluster.hub.wsUrl),
      config: { timers: { backoffResetAfterMs: 1 } },
    });
    const totals: number[] = [];
    const handshakes: number[] = [];
    for (let i = 0; i < trials; i++) {
      await sleep(200);
      const from = c.handle.lines.length;
      const t0 = performance.now();
      proxy.dropAll();
      const connected = await c.waitConnected({ from });
      const attempts = c.handle.lines.slice(from).filter((l) => /\bstate connecting\b/.test(l.text));
      const attempt = attempts.at(-1);
      totals.push(connected.at - t0);
      if (attempt) handshakes.push(connected.at - attempt.at);
    }
    const result = {
      trials,
      medianMs: round(median(totals), 1),
      maxMs: round(Math.max(...totals), 1),
      handshakeMedianMs: round(median(handshakes), 1),
      samplesMs: totals.map((t) => round(t, 1)),
    };
    ctx.log(
      `  reconnect: median ${result.medianMs} ms (handshake ${result.handshakeMedianMs} ms), max ${result.maxMs} ms`,
    );
    return result;
  });
}

async function reconnectAfterHubRestart(ctx: BenchContext, trials: number) {
  return withScope(async (scope) => {
    const cluster = await startCluster(scope, { runner: ctx.runner, connectors: [{ name: 'bench-restart' }] });
    const c = cluster.connectors[0];
    if (!c) throw new Error('no connector');
    let hub = cluster.hub;
    const samples: number[] = [];
    for (let i = 0; i < trials; i++) {
      await hub.handle.killHard();
      await c.handle.waitForLine(/disconnected; reconnecting/, { from: c.handle.lines.length - 1 });
      const from = c.handle.lines.length;
      hub = await startHubProcess(scope, { dir: cluster.dir, port: hub.port, runner: ctx.runner });
      const listening = hub.handle.lines.find((l) => /hub listening/.test(l.text));
      const connected = await c.waitConnected({ from, timeoutMs: 90_000 });
      samples.push(connected.at - (listening?.at ?? connected.at));
    }
    const result = { trials, medianMs: round(median(samples), 1), samplesMs: samples.map((t) => round(t, 1)) };
    ctx.log(`  hub restart (kill -9): connected ${result.medianMs} ms after the new hub listened (median)`);
    return result;
  });
}

async function blackholeDetection(ctx: BenchContext, trials: number) {
  return withScope(async (scope) => {
    const cluster = await startCluster(scope, { runner: ctx.runner, connectors: [] });
    const proxy = await startTcpProxy(cluster.hub.port);
    scope.after(() => proxy.close());
    const c = await cluster.addConnector({
      name: 'bench-blackhole',
      platformUrl: proxy.url(cluster.hub.wsUrl),
      config: { timers: { ...FAST_HEARTBEAT, backoffBaseMs: 100, backoffCapMs: 200 } },
    });
    const detect: number[] = [];
    const back: number[] = [];
    for (let i = 0; i < trials; i++) {
      await sleep(500);
      const from = c.handle.lines.length;
      const t0 = performance.now();
      proxy.blackhole();
      const dead = await c.handle.waitForLine(/disconnected; reconnecting/, { from, timeoutMs: 20_000 });
      detect.push(dead.at - t0);
      proxy.heal();
      const t1 = performance.now();
      const connected = await c.waitConnected({ from: c.handle.lines.length - 1, timeoutMs: 20_000 });
      back.push(connected.at - t1);
    }
    const result = {
      timers: FAST_HEARTBEAT,
      trials,
      detectMedianMs: round(median(detect), 1),
      detectMaxMs: round(Math.max(...detect), 1),
      reconnectAfterHealMedianMs: round(median(back), 1),
      detectSamplesMs: detect.map((t) => round(t, 1)),
    };
    ctx.log(`  black hole: detected after ${result.detectMedianMs} ms (dead after ${FAST_HEARTBEAT.deadAfterMs} ms)`);
    return result;
  });
}

async function failoverOnKill(ctx: BenchContext, trials: number) {
  return withScope(async (scope) => {
    const slow = { patientLookup: { type: 'demo', latencyMs: FAILOVER_LATENCY_MS } };
    const cluster = await startCluster(scope, {
      runner: ctx.runner,
      connectors: [
        { name: 'bench-a', config: slow },
        { name: 'bench-b', config: slow },
      ],
    });
    const ids = demoIdentifiers(10);
    const samples: number[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < trials; i++) {
      await sleep(300);
      const started = performance.now();
      const call = cluster.client.call('patient.lookup', { identificationNumber: ids[i % ids.length] });
      await sleep(80);
      const busy = (await cluster.client.connectors()).find((x) => x.inFlight > 0);
      const index = cluster.connectors.findIndex((_, n) => `bench-${'ab'[n]}` === busy?.name);
      const victim = cluster.connectors[index];
      if (!victim) throw new Error('no connector holds the call');
      const t0 = performance.now();
      await victim.handle.killHard();
      const res = await call;
      const t1 = performance.now();
      statuses.push(res.status);
      samples.push(t1 - t0);
      if (t0 - started > FAILOVER_LATENCY_MS) ctx.note('failover: the kill came after the first answer was due');
      // Bring the killed connector back (same folder, same connector id) for the next trial.
      cluster.connectors.splice(index, 1);
      const name = `bench-${'ab'[index]}`;
      const revived = await cluster.addConnector({ name, config: slow });
      cluster.connectors.splice(cluster.connectors.indexOf(revived), 1);
      cluster.connectors.splice(index, 0, revived);
    }
    const ok = statuses.filter((s) => s === 200).length;
    if (ok < trials)
      ctx.note(`failover: ${trials - ok} of ${trials} calls were not answered 200 (${statuses.join(',')})`);
    const result = {
      lookupLatencyMs: FAILOVER_LATENCY_MS,
      trials,
      answered200: ok,
      /** From the kill to the answer; includes the retried lookup's own latency. */
      killToAnswerMedianMs: round(median(samples), 1),
      /** The same minus the retried lookup's latency: what failing over itself cost. */
      failoverOverheadMedianMs: round(median(samples) - FAILOVER_LATENCY_MS, 1),
      samplesMs: samples.map((t) => round(t, 1)),
    };
    ctx.log(
      `  failover: answered ${result.killToAnswerMedianMs} ms after kill -9 (lookup itself ${FAILOVER_LATENCY_MS} ms)`,
    );
    return result;
  });
}
