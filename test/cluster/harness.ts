// Real processes for the cluster tests: a redis-server and an HAProxy of their own on free loopback
// ports (temp folders, no system service), three `cloud-connector hub --redis …` instances behind
// the HAProxy, and `cloud-connector run` connectors for several tenants connecting through it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Afterable } from '../helpers/processes.js';
import {
  type ChildHandle,
  type CliRunner,
  type ConnectorProcess,
  mintToken,
  spawnCli,
  startConnectorProcess,
} from '../helpers/processes.js';
import { CLUSTER_TIMERS } from '../redundancy/cluster.js';
import { freePort } from '../redundancy/free-port.js';
import { type ChildProcessHandle, spawnProcess } from './child.js';

export const API_KEY = 'cluster-api-key-0123456789abcdef';
/** Lease of 3 s (renewed every second): an instance killed is forgotten within about 3 s. */
export const LEASE_S = 3;

/** Where a Debian binary is: on PATH, or in /usr/sbin (haproxy), which a non-root PATH may lack. */
export function binaryPath(name: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) {
    if (existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return null;
}

/** Why the cluster tests cannot run here, or null when redis-server and haproxy are installed. */
export function missingBinaries(): string | null {
  const missing = ['redis-server', 'haproxy'].filter((bin) => !binaryPath(bin));
  return missing.length ? `${missing.join(' and ')} not installed (apt-get install redis-server haproxy)` : null;
}

export interface RedisProcess {
  port: number;
  url: string;
  handle: ChildProcessHandle;
  kill9(): Promise<void>;
  /** Starts redis-server again on the same port (empty: as after a failover to a fresh replica). */
  restart(): Promise<void>;
}

export async function startRedis(t: Afterable, dir: string): Promise<RedisProcess> {
  const port = await freePort();
  const data = path.join(dir, 'redis');
  mkdirSync(data, { recursive: true });
  const spawnIt = async () => {
    const handle = spawnProcess(t, binaryPath('redis-server') ?? 'redis-server', [
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', data],
      ...['--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    ]);
    await handle.waitForLine(/Ready to accept connections/, { timeoutMs: 10_000 });
    return handle;
  };
  const redis: RedisProcess = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    handle: await spawnIt(),
    async kill9() {
      await redis.handle.killHard();
    },
    async restart() {
      redis.handle = await spawnIt();
    },
  };
  return redis;
}

export interface HaproxyProcess {
  port: number;
  httpUrl: string;
  wsUrl: string;
  handle: ChildProcessHandle;
}

/** HAProxy in front of the instances, configured like deploy/haproxy-hub.cfg with shorter checks. */
export async function startHaproxy(t: Afterable, dir: string, backendPorts: number[]): Promise<HaproxyProcess> {
  const port = await freePort();
  const config = [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 120s',
    '  timeout server 120s',
    '  timeout tunnel 1h',
    '  timeout http-keep-alive 10s',
    '  option http-server-close',
    'frontend public',
    `  bind 127.0.0.1:${port}`,
    '  http-request deny deny_status 404 if { path_beg /cluster/ }',
    '  default_backend hubs',
    'backend hubs',
    '  balance leastconn',
    '  option redispatch',
    '  retries 3',
    '  retry-on conn-failure empty-response',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  default-server inter 250ms fall 2 rise 1',
    ...backendPorts.map((p, i) => `  server hub${i + 1} 127.0.0.1:${p} check`),
    '',
  ].join('\n');
  const file = path.join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const handle = spawnProcess(t, binaryPath('haproxy') ?? 'haproxy', ['-db', '-f', file]);
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1_000) });
      break;
    } catch {
      await sleep(50);
    }
  }
  return { port, handle, httpUrl: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/connector/v1` };
}

export interface HubInstance {
  name: string;
  port: number;
  httpUrl: string;
  handle: ChildHandle;
  instanceId: string;
}

export interface ClusterSetup {
  dir: string;
  redis: RedisProcess;
  haproxy: HaproxyProcess;
  hubs: HubInstance[];
  tokens: Map<string, string>;
  connectors: Map<string, ConnectorProcess>;
  startHub(index: number): Promise<HubInstance>;
  /** Starts a connector for `tenant` through the HAProxy; resolves once it is connected. */
  startConnector(name: string, tenant: string, config?: Record<string, unknown>): Promise<ConnectorProcess>;
  /** GET through a given instance (or the HAProxy). */
  api(pathname: string, via?: string): Promise<any>;
  /** Waits until every instance lists exactly these connector names, none draining. */
  waitForConnectors(names: string[], timeoutMs?: number): Promise<Array<{ name: string; instance: string }>>;
}

export async function startClusterSetup(
  t: Afterable,
  dir: string,
  options: { tenants: string[]; hubArgs?: string[]; runner?: CliRunner },
): Promise<ClusterSetup> {
  const redis = await startRedis(t, dir);
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  const keyFile = path.join(dir, 'api-key');
  const tokensFile = path.join(dir, 'tokens.jsonl');
  const secretFile = path.join(dir, 'cluster-secret');
  writeFileSync(keyFile, `${API_KEY}\n`, { mode: 0o600 });
  writeFileSync(tokensFile, '', { mode: 0o600 });
  writeFileSync(secretFile, 'cluster-secret-for-tests-0123456789abcdef\n', { mode: 0o600 });
  const tokens = new Map(options.tenants.map((tenant) => [tenant, mintToken(tokensFile, tenant)]));
  const setup: ClusterSetup = {
    dir,
    redis,
    haproxy: undefined as unknown as HaproxyProcess,
    hubs: [],
    tokens,
    connectors: new Map(),
    async startHub(index) {
      const port = ports[index] as number;
      const handle = spawnCli(
        t,
        [
          'hub',
          ...['--port', String(port), '--host', '127.0.0.1', '--tokens', tokensFile, '--api-key-file', keyFile],
          ...['--redis', redis.url, '--cluster-secret-file', secretFile, '--lease-s', String(LEASE_S)],
          ...['--not-ready-s', '0.8', '--goaway-spread-s', '0.5'],
          ...(options.hubArgs ?? []),
        ],
        { runner: options.runner },
      );
      const joined = await handle.waitForLine(/cluster: joined/, { timeoutMs: 20_000 });
      await handle.waitForLine(/hub listening/, { timeoutMs: 20_000 });
      const instanceId = /instance=([0-9a-f-]+)/.exec(joined.text)?.[1] ?? '';
      const hub = { name: `hub${index + 1}`, port, httpUrl: `http://127.0.0.1:${port}`, handle, instanceId };
      setup.hubs[index] = hub;
      return hub;
    },
    async startConnector(name, tenant, config = {}) {
      const cdir = path.join(dir, name);
      mkdirSync(cdir, { recursive: true });
      const connector = startConnectorProcess(t, {
        dir: cdir,
        token: tokens.get(tenant) as string,
        runner: options.runner,
        config: { platformUrl: setup.haproxy.wsUrl, name, timers: CLUSTER_TIMERS, ...config },
      });
      setup.connectors.set(name, connector);
      // Generous: several CLI processes starting at once on a busy two-core machine.
      await connector.waitConnected({ timeoutMs: 60_000 });
      return connector;
    },
    async api(pathname, via = setup.haproxy.httpUrl) {
      const res = await fetch(`${via}${pathname}`, {
        headers: { authorization: `Bearer ${API_KEY}` },
        signal: AbortSignal.timeout(5_000),
      });
      return res.json();
    },
    async waitForConnectors(names, timeoutMs = 20_000) {
      const want = [...names].sort().join(',');
      const until = Date.now() + timeoutMs;
      let got = '';
      while (Date.now() < until) {
        const views = await Promise.all(
          setup.hubs
            .filter((h) => !h.handle.hasExited)
            .map((h) =>
              setup.api('/v1/connectors', h.httpUrl).then(
                (body) => body.connectors as Array<{ name: string; instance: string; draining: boolean }>,
                () => [],
              ),
            ),
        );
        const lists = views.map((v) =>
          v
            .filter((c) => !c.draining)
            .map((c) => c.name)
            .sort()
            .join(','),
        );
        got = lists.join(' | ');
        if (lists.every((l) => l === want)) return (views[0] ?? []).filter((c) => !c.draining);
        await sleep(100);
      }
      throw new Error(`instances list [${got}], not [${want}]`);
    },
  };
  for (let i = 0; i < 3; i++) await setup.startHub(i);
  setup.haproxy = await startHaproxy(t, dir, ports);
  return setup;
}
