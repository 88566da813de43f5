// Benchmark 5 — big documents: consent.store through the whole path (HTTP caller → hub process →
// connector process → document store), with the peak memory of the connector and the hub while
// each document is filed (VmRSS sampled from /proc every 10 ms, over each process's idle RSS).
//   points  1 and 5 MiB PDFs into a folder store;
//   mib25   a 25 MiB PDF (PROTOCOL's largest) into each store type: folder, HTTP (a web API in
//           this process), FHIR (Medplum's router and in-memory repository in this process) and
//           HL7 MDM (Medplum's MLLP receiver in this process). Each peer checks what arrived
//           against the PDF's sha256. Target: each process's peak under idle + 3 × the PDF's size.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Binary } from '@medplum/fhirtypes';
import { startFhirServer } from '../test/integrations/helpers/fhir-server.js';
import { startMedplumPeer } from '../test/integrations/hl7/hl7-peer.js';
import { reasonOf, startCluster } from './lib/cluster.js';
import { consentParams, folderStoreAvailable, syntheticPdf } from './lib/consent.js';
import type { BenchContext } from './lib/context.js';
import { type Scope, withScope } from './lib/scope.js';
import { BENCH_LOCAL_SYSTEM } from './lib/source-patients.js';
import { round } from './lib/stats.js';

const SMALL_SIZES_MIB = [1, 5];
const BIG_MIB = 25;
const MB = 1e6;

type StoreName = 'folder' | 'http' | 'fhir' | 'hl7';

interface Peer {
  config: Record<string, unknown>;
  /** Whether the store's peer holds the PDF (by its sha256). */
  holds(sha256: string): boolean;
}

export async function bigDocuments(ctx: BenchContext) {
  if (!folderStoreAvailable()) {
    ctx.note('big documents: skipped — no folder document store is registered in this build');
    return { skipped: 'no folder document store in this build' };
  }
  const points = [];
  // A quick run: the 25 MiB PDF into the folder store only, no smaller sizes.
  for (const mib of ctx.quick ? [] : SMALL_SIZES_MIB) {
    const point = await withScope((scope) => fileOne(ctx, scope, 'folder', mib, ctx.quick ? 1 : 3));
    points.push({ mib, ...point });
  }
  const stores: Partial<Record<StoreName, Awaited<ReturnType<typeof fileOne>>>> = {};
  for (const store of ctx.quick ? (['folder'] as const) : (['folder', 'http', 'fhir', 'hl7'] as const)) {
    stores[store] = await withScope((scope) => fileOne(ctx, scope, store, BIG_MIB, 1));
  }
  const all = Object.values(stores);
  const limitMb = round((3 * BIG_MIB * 2 ** 20) / MB, 1);
  const mib25 = {
    stored: all.every((s) => s.stored > 0),
    ...(ctx.quick ? { note: 'quick run: folder store only' } : {}),
    stores,
    connectorPeakOverIdleMb: Math.max(...all.map((s) => s.connectorPeakOverIdleMb)),
    hubPeakOverIdleMb: Math.max(...all.map((s) => s.hubPeakOverIdleMb)),
    limitMb,
    target: `stored into every store; connector and hub peak over idle ≤ ${limitMb} MB (3 × the PDF)`,
  };
  return { points, mib25 };
}

async function fileOne(ctx: BenchContext, scope: Scope, store: StoreName, mib: number, repeats: number) {
  const peer = await startPeer(scope, store);
  const cluster = await startCluster(scope, {
    runner: ctx.runner,
    connectors: [{ name: `bench-doc-${store}`, config: { consentStore: peer.config } }],
  });
  const connector = cluster.connectors[0]?.handle;
  if (!connector) throw new Error('no connector');
  const hub = cluster.hub.handle;
  // Settled idle first: start-up garbage collected, the connection's first exchanges over.
  await sleep(1_000);
  const idle = { connector: connector.rssKb() ?? 0, hub: hub.rssKb() ?? 0 };
  const peak = { ...idle };
  const sampler = setInterval(() => {
    peak.connector = Math.max(peak.connector, connector.rssKb() ?? 0);
    peak.hub = Math.max(peak.hub, hub.rssKb() ?? 0);
  }, 10);
  const times: number[] = [];
  const failures: string[] = [];
  for (let i = 0; i < repeats; i++) {
    const pdf = syntheticPdf(mib * 2 ** 20, i);
    const params = consentParams(pdf);
    const t0 = performance.now();
    try {
      const res = await cluster.client.call('consent.store', params);
      const ms = performance.now() - t0;
      if (res.status !== 200) failures.push(`HTTP ${res.status} ${reasonOf(res.body)}`);
      else if (!peer.holds(params.sha256)) failures.push('answered stored, but the store does not hold the PDF');
      else times.push(ms);
    } catch (error) {
      failures.push(`request failed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  await sleep(50);
  clearInterval(sampler);
  const best = times.length ? Math.min(...times) : Number.NaN;
  if (failures.length)
    ctx.note(`big documents ${mib} MiB → ${store}: ${failures.length} of ${repeats} failed (${failures[0]})`);
  const mbOf = (kb: number) => round((kb * 1024) / MB, 1);
  const result = {
    store,
    stored: times.length,
    failed: failures.length,
    failure: failures[0] ?? null,
    bestMs: round(best, 1),
    mibPerSecond: times.length ? round(mib / (best / 1000), 1) : null,
    connectorIdleRssMb: mbOf(idle.connector),
    connectorPeakRssMb: mbOf(peak.connector),
    connectorPeakOverIdleMb: mbOf(peak.connector - idle.connector),
    hubIdleRssMb: mbOf(idle.hub),
    hubPeakRssMb: mbOf(peak.hub),
    hubPeakOverIdleMb: mbOf(peak.hub - idle.hub),
  };
  ctx.log(
    `  ${mib} MiB → ${store}: ${result.stored ? `${result.bestMs} ms` : `failed: ${result.failure}`}, peak over idle: connector ${result.connectorPeakOverIdleMb} MB, hub ${result.hubPeakOverIdleMb} MB`,
  );
  return result;
}

async function startPeer(scope: Scope, store: StoreName): Promise<Peer> {
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  if (store === 'folder') {
    const dir = scope.tempDir('cc-bench-store-');
    return {
      config: { type: 'folder', path: dir },
      holds: (sha256) => findPdfs(dir).some((file) => sha(readFileSync(file)) === sha256),
    };
  }
  if (store === 'http') {
    // A web API that takes the JSON body (PDF in base64) and keeps the sha256 of what it decoded.
    const received = new Set<string>();
    const server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { documentId: string; dataBase64: string };
      received.add(sha(Buffer.from(body.dataBase64, 'base64')));
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: body.documentId }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    scope.after(() => new Promise((resolve) => server.close(resolve)));
    scope.after(() => server.closeAllConnections());
    const { port } = server.address() as AddressInfo;
    return { config: { type: 'http', url: `http://127.0.0.1:${port}/documents` }, holds: (s) => received.has(s) };
  }
  if (store === 'fhir') {
    const fhir = await startFhirServer(scope as never);
    return {
      config: { type: 'fhir', baseUrl: fhir.baseUrl, identifierSystems: { local: BENCH_LOCAL_SYSTEM } },
      holds: (sha256) => {
        // The repository's Binaries, decoded: the one filed must be there.
        const binaries = (fhir.repo as unknown as { resources: Map<string, Map<string, Binary>> }).resources?.get(
          'Binary',
        );
        return [...(binaries?.values() ?? [])].some((b) => b.data && sha(Buffer.from(b.data, 'base64')) === sha256);
      },
    };
  }
  const received: string[] = [];
  const peer = await startMedplumPeer(scope, (message) => {
    // OBX-5 of an ED observation: ^application^pdf^Base64^<data>
    const obx = message.getSegment('OBX');
    const data = obx?.getField(5)?.getComponent(5) ?? '';
    received.push(sha(Buffer.from(data, 'base64')));
    return message.buildAck({ ackCode: 'AA' });
  });
  return {
    config: {
      type: 'hl7',
      host: '127.0.0.1',
      port: peer.port,
      sendingApplication: 'CLOUDCONNECTOR',
      sendingFacility: 'CLINIC',
      receivingApplication: 'EDMS',
      receivingFacility: 'RX1',
      localAuthority: 'RX1',
    },
    holds: (sha256) => received.includes(sha256),
  };
}

function findPdfs(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.pdf'))
    .map((name) => path.join(dir, name));
}
