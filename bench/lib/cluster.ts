// The benchmark set-up: a hub process and one or more connector processes on loopback, each a
// real `cloud-connector` CLI process, with a keep-alive client for the hub's API.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import {
  type CliRunner,
  type ConnectorProcess,
  type HubProcess,
  mintToken,
  startConnectorProcess,
  startHubProcess,
} from '../../test/helpers/processes.js';
import { type HubClient, hubClient } from './http-client.js';
import type { Scope } from './scope.js';

/** Large enough that the connector never answers `busy` in a benchmark; the default (32) protects real sources. */
export const BENCH_MAX_CONCURRENCY = 1024;

export interface ConnectorSpec {
  name: string;
  /** Merged over the defaults: demo source without latency, BENCH_MAX_CONCURRENCY. */
  config?: Record<string, unknown>;
  /** Connect through another URL (a TCP proxy) instead of the hub's own. */
  platformUrl?: string;
  /** Extra Node options for the connector process (a probe module loaded with --import). */
  nodeArgs?: string[];
}

export interface Cluster {
  hub: HubProcess;
  connectors: ConnectorProcess[];
  client: HubClient;
  dir: string;
  runner: CliRunner;
  token: string;
  addConnector(spec: ConnectorSpec): Promise<ConnectorProcess>;
}

export async function startCluster(
  scope: Scope,
  options: { runner: CliRunner; connectors: ConnectorSpec[] },
): Promise<Cluster> {
  const dir = scope.tempDir();
  const hub = await startHubProcess(scope, { dir, runner: options.runner });
  const token = mintToken(hub.tokensFile);
  const client = hubClient(hub.httpUrl, hub.apiKey, 512);
  scope.after(() => client.close());
  const cluster: Cluster = {
    hub,
    connectors: [],
    client,
    dir,
    runner: options.runner,
    token,
    async addConnector(spec) {
      const cdir = path.join(dir, spec.name);
      mkdirSync(cdir, { recursive: true });
      const connector = startConnectorProcess(scope, {
        dir: cdir,
        token,
        runner: options.runner,
        nodeArgs: spec.nodeArgs,
        config: {
          platformUrl: spec.platformUrl ?? hub.wsUrl,
          name: spec.name,
          maxConcurrency: BENCH_MAX_CONCURRENCY,
          ...spec.config,
        },
      });
      await connector.waitConnected();
      cluster.connectors.push(connector);
      return connector;
    },
  };
  for (const spec of options.connectors) await cluster.addConnector(spec);
  return cluster;
}

/** Identifiers of demo patients, spread over the directory so that lookups are not all the same. */
export function demoIdentifiers(count = 1000): string[] {
  const directory = demoDirectory();
  return Array.from({ length: count }, (_, i) =>
    directory.at((i * 7919) % directory.size).localIdentifier.toLowerCase(),
  );
}

/** A lookup through the hub; null when it answered a patient. */
export async function lookupThroughHub(client: HubClient, identifier: string): Promise<string | null> {
  const res = await client.call('patient.lookup', { identificationNumber: identifier });
  if (res.status !== 200) return `HTTP ${res.status} ${reasonOf(res.body)}`;
  return res.body.includes('"localIdentifier"') ? null : 'no patient in the answer';
}

export function reasonOf(body: string): string {
  try {
    return JSON.parse(body)?.error?.reason ?? '';
  } catch {
    return '(not JSON)';
  }
}
