// Real processes for the redundancy tests: one `cloud-connector hub` and named `cloud-connector
// run` connectors, each in its own folder (so each keeps its connectorId across restarts).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ConnectorProcess,
  type HubProcess,
  mintToken,
  spawnCli,
  startConnectorProcess,
} from '../helpers/processes.js';

/**
 * Short protocol timers: a dead peer is noticed in 3 s, reconnects take a fraction of one. Not
 * shorter: on a busy CI machine a process can stall for a second, and a live hub must not be
 * declared dead.
 */
export const CLUSTER_TIMERS = {
  backoffBaseMs: 50,
  backoffCapMs: 300,
  pingIntervalMs: 500,
  deadAfterMs: 3_000,
  helloTimeoutMs: 2_000,
  drainGraceMs: 10_000,
};

export interface Cluster {
  dir: string;
  hub: HubProcess;
  token: string;
  /** SIGTERM the hub (goaway, finish calls in flight) and start a new one on the same port. */
  restartHub(): Promise<{ stoppedAt: number; listeningAt: number }>;
  connectors: Map<string, ConnectorProcess>;
  /** Starts (or restarts, in the same folder) the named connector; resolves when it is connected. */
  startConnector(name: string, config?: Record<string, unknown>): Promise<ConnectorProcess>;
  /** Waits until the hub lists exactly these connector names as connected and not draining. */
  waitForHubConnectors(names: string[], timeoutMs?: number): Promise<void>;
  hubConnectors(): Promise<Array<{ name: string; inFlight: number; draining: boolean }>>;
  hubMetrics(): Promise<string>;
}

export async function startCluster(
  t: TestContext,
  dir: string,
  options: { connectorConfig?: Record<string, unknown>; hubArgs?: string[] } = {},
): Promise<Cluster> {
  const connectorConfig = options.connectorConfig ?? {};
  const hub = await startHubWithArgs(t, dir, { args: options.hubArgs });
  const token = mintToken(hub.tokensFile);
  const connectors = new Map<string, ConnectorProcess>();
  const authorized = { headers: { authorization: `Bearer ${hub.apiKey}` } };
  const cluster: Cluster = {
    dir,
    hub,
    token,
    connectors,
    async restartHub() {
      const old = cluster.hub;
      await old.handle.stop(15_000);
      const stoppedAt = performance.now();
      cluster.hub = await startHubWithArgs(t, dir, { port: old.port, args: options.hubArgs });
      return { stoppedAt, listeningAt: performance.now() };
    },
    async startConnector(name, config = {}) {
      const cdir = path.join(dir, name);
      mkdirSync(cdir, { recursive: true });
      const process = startConnectorProcess(t, {
        dir: cdir,
        token,
        config: { platformUrl: cluster.hub.wsUrl, name, timers: CLUSTER_TIMERS, ...connectorConfig, ...config },
      });
      connectors.set(name, process);
      await process.waitConnected();
      return process;
    },
    async hubConnectors() {
      const res = await fetch(`${cluster.hub.httpUrl}/v1/connectors`, authorized);
      return (await res.json()).connectors;
    },
    async hubMetrics() {
      return (await fetch(`${cluster.hub.httpUrl}/metrics`, authorized)).text();
    },
    async waitForHubConnectors(names, timeoutMs = 15_000) {
      const want = [...names].sort().join(',');
      const until = Date.now() + timeoutMs;
      let got = '';
      while (Date.now() < until) {
        got = (await cluster.hubConnectors())
          .filter((c) => !c.draining)
          .map((c) => c.name)
          .sort()
          .join(',');
        if (got === want) return;
        await sleep(25);
      }
      throw new Error(`the hub lists [${got}], not [${want}]`);
    },
  };
  return cluster;
}

/**
 * Starts `cloud-connector hub` with extra options (alerts), like processes.ts's startHubProcess,
 * on `port` when given (a restart), with the key and tokens files in `dir`.
 */
export async function startHubWithArgs(
  t: TestContext,
  dir: string,
  options: { port?: number; args?: string[] } = {},
): Promise<HubProcess> {
  const apiKey = 'redundancy-api-key-0123456789';
  const keyFile = path.join(dir, 'api-key');
  const tokensFile = path.join(dir, 'tokens.jsonl');
  writeFileSync(keyFile, `${apiKey}\n`, { mode: 0o600 });
  if (!existsSync(tokensFile)) writeFileSync(tokensFile, '', { mode: 0o600 });
  const handle = spawnCli(t, [
    'hub',
    ...['--port', String(options.port ?? 0), '--host', '127.0.0.1'],
    ...['--tokens', tokensFile, '--api-key-file', keyFile],
    ...(options.args ?? []),
  ]);
  const line = await handle.waitForLine(/hub listening/, { timeoutMs: 20_000 });
  const httpUrl = /api=(\S+)/.exec(line.text)?.[1] ?? '';
  const wsUrl = /connectors=(\S+)/.exec(line.text)?.[1] ?? '';
  return { handle, port: Number(new URL(httpUrl).port), httpUrl, wsUrl, apiKey, tokensFile };
}
