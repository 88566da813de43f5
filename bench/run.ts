// `npm run bench [-- --quick] [-- --only ceiling,overhead,memory,recovery,documents]`
// Runs every benchmark with the hub, the connector and the data source as separate processes on
// loopback, prints one table, and writes bench/results/latest.json. See docs/performance.md.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../test/helpers/processes.js';
import { bigDocuments } from './big-documents.js';
import { cluster } from './cluster.js';
import type { BenchContext } from './lib/context.js';
import { printTable } from './lib/table.js';
import { lookupOverhead } from './lookup-overhead.js';
import { memory } from './memory.js';
import { protocolCeiling } from './protocol-ceiling.js';
import { recovery } from './recovery.js';

const BENCHMARKS = {
  ceiling: { key: 'protocolCeiling', title: 'Protocol ceiling', run: protocolCeiling },
  overhead: { key: 'lookupOverhead', title: 'Lookup overhead', run: lookupOverhead },
  memory: { key: 'memory', title: 'Memory', run: memory },
  recovery: { key: 'recovery', title: 'Recovery', run: recovery },
  documents: { key: 'bigDocuments', title: 'Big documents', run: bigDocuments },
  cluster: { key: 'cluster', title: 'Cluster (three instances, Redis, HAProxy)', run: cluster },
} as const;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    runner: { type: 'string', default: 'dist' },
    out: { type: 'string' },
  },
});

const notes: string[] = [];
const ctx: BenchContext = {
  quick: values.quick ?? false,
  runner: values.runner === 'tsx' ? 'tsx' : 'dist',
  log: (line) => process.stdout.write(`${line}\n`),
  note: (line) => {
    notes.push(line);
    process.stdout.write(`  note: ${line}\n`);
  },
};

if (ctx.runner === 'dist') {
  // Measure what ships: the esbuild bundle, built now from the current sources.
  try {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build.mjs')], { cwd: REPO_ROOT, stdio: 'pipe' });
  } catch (error) {
    ctx.note(`the build failed (${(error as Error).message.split('\n')[0]}); running the sources through tsx instead`);
    ctx.runner = 'tsx';
  }
}

const selected = values.only
  ? values.only.split(',').map((s) => s.trim())
  : (Object.keys(BENCHMARKS) as Array<keyof typeof BENCHMARKS>);
const results: Record<string, unknown> = {};
const started = performance.now();
const loadBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);
for (const name of selected) {
  const bench = BENCHMARKS[name as keyof typeof BENCHMARKS];
  if (!bench) throw new Error(`unknown benchmark "${name}"; choose from ${Object.keys(BENCHMARKS).join(', ')}`);
  ctx.log(`${bench.title}…`);
  const t0 = performance.now();
  try {
    results[bench.key] = { ...(await bench.run(ctx)), seconds: Math.round((performance.now() - t0) / 1000) };
  } catch (error) {
    ctx.note(`${bench.title} failed: ${(error as Error).message.split('\n')[0]}`);
    results[bench.key] = { failed: (error as Error).message };
  }
}

// The audit log's own throughput benchmark, written alongside (bench/audit-throughput.ts).
if (!values.only || selected.includes('audit')) {
  const auditBench = path.join(REPO_ROOT, 'bench/audit-throughput.ts');
  if (existsSync(auditBench)) {
    ctx.log('Audit log throughput…');
    try {
      const mod = (await import('./audit-throughput.js' as string)) as { run?: (o: unknown) => Promise<unknown> };
      if (typeof mod.run === 'function') results.auditThroughput = await mod.run({ quick: ctx.quick });
    } catch (error) {
      ctx.note(`audit throughput failed: ${(error as Error).message.split('\n')[0]}`);
    }
  } else {
    ctx.note('audit throughput: bench/audit-throughput.ts does not exist in this build');
  }
}

const output = {
  generatedAt: new Date().toISOString(),
  quick: ctx.quick,
  runner: ctx.runner,
  seconds: Math.round((performance.now() - started) / 1000),
  machine: {
    ...machine(),
    loadAverageBefore: loadBefore,
    loadAverageAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
  },
  ...results,
  notes,
};
const outFile = values.out ?? path.join(REPO_ROOT, 'bench/results/latest.json');
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(output, null, 2)}\n`);
printTable(output);
ctx.log(`\nResults: ${path.relative(process.cwd(), outFile)} (${output.seconds} s${ctx.quick ? ', --quick' : ''})`);

function machine() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux: keep os.cpus()
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return {
    nproc: os.availableParallelism(),
    cpuModel,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    commit,
  };
}
