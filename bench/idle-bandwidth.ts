// Idle bandwidth: what an idle connector connection costs on the wire in a year, and how long
// each side takes to notice a dead peer, at heartbeatMs 15,000 and 90,000. A hub process with
// TLS, a connector process, and a loopback TCP proxy between them (which passes bytes unchanged
// until it black-holes the connection). Bytes come from the kernel's counters of the connector's
// socket (lib/socket-counters.ts): TLS payload both ways plus 52 bytes of TCP/IP header per
// segment, over a whole number of heartbeat intervals, from the connector's first ping (sent on
// connecting) to the one that completes the last interval. Then the proxy black-holes the connection and the time until the
// connector logs the disconnect, and until the hub does, is measured.
// PROTOCOL §1: the platform chooses heartbeatMs in the hello result (the hub: --heartbeat-ms),
// only the connector pings, and either side declares the peer dead after 2 × heartbeatMs + 5 s.
// A hub without --heartbeat-ms (before that change) pings every 15 s itself and tells the
// connector 15 s: the connector is then given the interval through its own timers instead, and
// the results say so.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  cliCommand,
  type HubProcess,
  mintToken,
  REPO_ROOT,
  spawnCli,
  startConnectorProcess,
} from '../test/helpers/processes.js';
import { startTcpProxy } from '../test/helpers/tcp-proxy.js';
import { testPki } from '../test/helpers/tls.js';
import type { BenchContext } from './lib/context.js';
import { type Scope, withScope } from './lib/scope.js';
import { socketCounters, wireBytes } from './lib/socket-counters.js';
import { round } from './lib/stats.js';

const SECONDS_PER_YEAR = 365.25 * 86_400;
const HEARTBEATS = [15_000, 90_000] as const;

export async function idleBandwidth(ctx: BenchContext) {
  const hubFlag = hubHasHeartbeatFlag(ctx);
  if (!hubFlag) {
    ctx.note(
      'idle: this hub has no --heartbeat-ms (both sides ping every 15 s); the connector was given the interval through its timers',
    );
  }
  // Both intervals at once: an idle connection's bytes do not depend on what else runs.
  const [at15s, at90s] = await Promise.all(
    HEARTBEATS.map((heartbeatMs) => withScope((scope) => measure(ctx, scope, heartbeatMs, hubFlag))),
  );
  const result = {
    hubHeartbeatFlag: hubFlag,
    mbPerYearAt15s: at15s?.mbPerYear,
    mbPerYearAt90s: at90s?.mbPerYear,
    at15s,
    at90s,
    targets: 'mbPerYearAt15s ≤ 600, mbPerYearAt90s ≤ 100',
    met: (at15s?.mbPerYear ?? Infinity) <= 600 && (at90s?.mbPerYear ?? Infinity) <= 100,
  };
  return result;
}

async function measure(ctx: BenchContext, scope: Scope, heartbeatMs: number, hubFlag: boolean) {
  const dir = scope.tempDir('cc-idle-');
  const hub = await startTlsHub(scope, ctx, dir, hubFlag ? heartbeatMs : null);
  const proxy = await startTcpProxy(hub.port);
  scope.after(() => proxy.close());
  const cdir = path.join(dir, 'connector');
  mkdirSync(cdir);
  const connector = startConnectorProcess(scope, {
    dir: cdir,
    token: mintToken(hub.tokensFile),
    runner: ctx.runner,
    config: {
      platformUrl: proxy.url(hub.wsUrl),
      caFile: path.join(dir, 'ca.pem'),
      ...(hubFlag ? {} : { timers: { pingIntervalMs: heartbeatMs, deadAfterMs: 2 * heartbeatMs + 5_000 } }),
    },
  });
  // The connector pings as soon as it is connected (PROTOCOL §1's latency report), so the window
  // starts at that first ping: counters read once it is over, time counted from the connection.
  const connectedAt = (await connector.waitConnected({ timeoutMs: 30_000 })).at;
  await sleep(1_000);
  const before = socketCounters(proxy.port);
  // …and ends with the ping that completes `intervals` heartbeats: the first burst of bytes seen
  // from shortly before it is due. So the window holds whole intervals of a periodic sender.
  const intervals = ctx.quick || heartbeatMs > 30_000 ? 1 : 2;
  await sleep(Math.max(0, connectedAt + intervals * heartbeatMs - 1_500 - performance.now()));
  let last = socketCounters(proxy.port);
  let endedAt = performance.now();
  const giveUpAt = endedAt + heartbeatMs;
  for (;;) {
    await sleep(200);
    const now = socketCounters(proxy.port);
    const polledAt = performance.now();
    if (wireBytes(last, now).total > 0) {
      endedAt = polledAt - 100; // the burst happened within the last poll interval
      // The rest of the exchange (the pong, delayed ACKs) belongs to this interval too.
      await sleep(1_000);
      last = socketCounters(proxy.port);
      break;
    }
    if (polledAt > giveUpAt) {
      endedAt = polledAt;
      ctx.note(`idle at ${heartbeatMs} ms: no ping seen within one interval of when it was due`);
      break;
    }
  }
  const seconds = (endedAt - connectedAt) / 1000;
  const bytes = wireBytes(before, last);
  const mbPerYear = round(((bytes.total / seconds) * SECONDS_PER_YEAR) / 1e6, 1);
  ctx.log(
    `  idle at heartbeat ${heartbeatMs / 1000} s: ${bytes.payload} B payload + ${bytes.segments} segments in ${round(seconds, 1)} s → ${mbPerYear} MB a year`,
  );

  // Dead-peer detection: expected after 2 × heartbeatMs + 5 s (PROTOCOL §1); in a quick run only
  // where that is short.
  const expectedS = (2 * heartbeatMs + 5_000) / 1000;
  let deadPeer: { connectorS: number | null; hubS: number | null; expectedS: number } | { skipped: string };
  if (ctx.quick && heartbeatMs > 15_000) {
    deadPeer = { skipped: `quick run (would take about ${expectedS} s)` };
  } else {
    const fromConnector = connector.handle.lines.length;
    const fromHub = hub.handle.lines.length;
    const t1 = performance.now();
    proxy.blackhole();
    const timeoutMs = (expectedS + 30) * 1000;
    const [c, h] = await Promise.all([
      connector.handle
        .waitForLine(/disconnected; reconnecting/, { from: fromConnector, timeoutMs })
        .then((l) => round((l.at - t1) / 1000, 1))
        .catch(() => null),
      hub.handle
        .waitForLine(/connector disconnected/, { from: fromHub, timeoutMs })
        .then((l) => round((l.at - t1) / 1000, 1))
        .catch(() => null),
    ]);
    deadPeer = { connectorS: c, hubS: h, expectedS };
    if (process.env.CC_BENCH_DEBUG) {
      for (const l of connector.handle.lines.slice(fromConnector)) ctx.log(`    connector: ${l.text}`);
      for (const l of hub.handle.lines.slice(fromHub)) ctx.log(`    hub: ${l.text}`);
    }
    ctx.log(
      `  dead peer at heartbeat ${heartbeatMs / 1000} s: connector ${c} s, hub ${h} s (expected ≤ ${expectedS} s)`,
    );
  }
  return {
    heartbeatMs,
    windowS: round(seconds, 1),
    payloadBytes: bytes.payload,
    segments: bytes.segments,
    wireBytes: bytes.total,
    bytesPerInterval: Math.round(bytes.total / intervals),
    mbPerYear,
    deadPeer,
  };
}

/** `cloud-connector hub` over TLS (certificates from the test PKI), waiting until it listens. */
async function startTlsHub(
  scope: Scope,
  ctx: BenchContext,
  dir: string,
  heartbeatMs: number | null,
): Promise<HubProcess> {
  const pki = await testPki();
  const files = {
    cert: path.join(dir, 'cert.pem'),
    key: path.join(dir, 'key.pem'),
    ca: path.join(dir, 'ca.pem'),
    apiKey: path.join(dir, 'api-key'),
    tokens: path.join(dir, 'tokens.jsonl'),
  };
  writeFileSync(files.cert, pki.serverCert);
  writeFileSync(files.key, pki.serverKey, { mode: 0o600 });
  writeFileSync(files.ca, pki.caCert);
  const apiKey = 'idle-bench-api-key-0123456789';
  writeFileSync(files.apiKey, `${apiKey}\n`, { mode: 0o600 });
  writeFileSync(files.tokens, '', { mode: 0o600 });
  const args = ['hub', '--port', '0', '--host', '127.0.0.1', '--tokens', files.tokens, '--api-key-file', files.apiKey];
  args.push('--tls-cert', files.cert, '--tls-key', files.key);
  if (heartbeatMs !== null) args.push('--heartbeat-ms', String(heartbeatMs));
  const handle = spawnCli(scope, args, { runner: ctx.runner });
  const line = await handle.waitForLine(/hub listening/, { timeoutMs: 30_000 });
  const httpUrl = /api=(\S+)/.exec(line.text)?.[1];
  const wsUrl = /connectors=(\S+)/.exec(line.text)?.[1];
  if (!httpUrl || !wsUrl) throw new Error(`unexpected hub log line: ${line.text}`);
  return { handle, port: Number(new URL(wsUrl).port), wsUrl, httpUrl, apiKey, tokensFile: files.tokens };
}

/** Whether this build's hub takes --heartbeat-ms (PROTOCOL §1's platform-chosen interval). */
function hubHasHeartbeatFlag(ctx: BenchContext): boolean {
  const out = spawnSync(process.execPath, [...cliCommand(ctx.runner), 'hub', '--heartbeat-ms', '15000'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return !/unknown option/i.test(`${out.stdout}${out.stderr}`);
}

/**
 * The same in a process of its own, for running beside the other benchmarks: their load on this
 * process's event loop would otherwise delay the polls and stretch the measured windows.
 */
export function idleBandwidthInChild(ctx: BenchContext): Promise<Awaited<ReturnType<typeof idleBandwidth>>> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', import.meta.filename, '--child', ctx.runner, ctx.quick ? 'quick' : 'full'];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('{')) resolve(JSON.parse(line));
        else if (line.startsWith('note: ')) ctx.note(line.slice(6));
        else ctx.log(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`the idle benchmark exited (code ${code}) without a result`)));
  });
}

if (process.argv[2] === '--child') {
  const ctx: BenchContext = {
    runner: process.argv[3] === 'tsx' ? 'tsx' : 'dist',
    quick: process.argv[4] === 'quick',
    log: (line) => process.stdout.write(`${line}\n`),
    note: (line) => process.stdout.write(`note: ${line}\n`),
  };
  const result = await idleBandwidth(ctx);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
