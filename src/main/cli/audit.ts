// `cloud-connector audit verify|tail|stats|export`: read the local audit log. Opens the database
// read-only, so it can run beside a connector that is writing it.
import { once } from 'node:events';
import { createWriteStream, existsSync, openSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { csvHeader, csvLine, type ExportFormat, exportRows, jsonLine } from '../audit/export.js';
import { formatAuditRow, parseSince } from '../audit/format.js';
import { auditPathFor } from '../audit/from-config.js';
import { openAuditDbForReading } from '../audit/open-db.js';
import { rowsAfter, rowsSince, stats, tail } from '../audit/queries.js';
import { describeVerify, verifyChain } from '../audit/verify.js';
import { loadConfigFile } from '../config/load-config.js';
import { parseCommandArgs, UsageError } from './args.js';

const USAGE = `cloud-connector audit <subcommand> (--db FILE | --config FILE) [options]
  verify                          check the hash chain; exit 0 if intact, 1 at the first broken row
  tail [-n N] [--follow]          the last N rows (default 20); --follow keeps printing new ones
  stats [--since 24h] [--json]    calls per method and outcome, p50/p95/p99 duration, errors by reason
  export --since 7d --format csv|jsonl [--out FILE]`;

export interface AuditIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Resolves when `tail --follow` should stop (default: SIGINT or SIGTERM). */
  stopFollowing?: Promise<void>;
}

const defaultIo: AuditIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export async function audit(argv: string[], io: AuditIo = defaultIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseCommandArgs(
    rest,
    {
      db: { type: 'string' },
      config: { type: 'string' },
      n: { type: 'string', short: 'n' },
      follow: { type: 'boolean', short: 'f' },
      since: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string', short: 'o' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  if (!sub || !['verify', 'tail', 'stats', 'export'].includes(sub)) {
    throw new UsageError(
      `${sub ? `Unknown audit subcommand "${sub}".` : 'Missing audit subcommand.'}\n\nUsage: ${USAGE}`,
    );
  }
  // Check the options before touching the database, so that a typo is reported as such.
  const since = values.since !== undefined ? sinceOption(values.since) : undefined;
  if (values.format !== undefined && values.format !== 'csv' && values.format !== 'jsonl') {
    throw new UsageError(`--format: expected csv or jsonl.\n\nUsage: ${USAGE}`);
  }
  const file = values.db ?? (values.config ? auditPathFor(loadConfigFile(values.config)) : undefined);
  if (!file)
    throw new UsageError(`Give the audit database with --db FILE or the connector's --config FILE.\n\nUsage: ${USAGE}`);
  if (!existsSync(file)) {
    io.err(`No audit log at ${file}. It is created when the connector first runs.`);
    return 2;
  }
  let db: Database.Database;
  try {
    db = openAuditDbForReading(file);
  } catch (error) {
    io.err(`Cannot open ${file}: ${(error as Error).message}`);
    return 2;
  }
  try {
    switch (sub) {
      case 'verify': {
        const result = verifyChain(db);
        (result.ok ? io.out : io.err)(describeVerify(result));
        return result.ok ? 0 : 1;
      }
      case 'tail':
        return await tailCommand(db, values, io);
      case 'stats':
        return statsCommand(db, since ?? sinceOption('24h'), values.json === true, io);
      default:
        return await exportCommand(db, since ?? new Date(0), values, io);
    }
  } finally {
    db.close();
  }
}

async function tailCommand(db: Database.Database, values: { n?: string; follow?: boolean }, io: AuditIo) {
  const n = values.n === undefined ? 20 : Number(values.n);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`-n: expected a whole number.\n\nUsage: ${USAGE}`);
  const rows = tail(db, n);
  for (const r of rows) io.out(formatAuditRow(r));
  if (!values.follow) return 0;
  let last = rows.at(-1)?.seq ?? tail(db, 1)[0]?.seq ?? 0;
  const stop = io.stopFollowing ?? signalled();
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  while (!stopped) {
    for (const r of rowsAfter(db, last)) {
      io.out(formatAuditRow(r));
      last = r.seq;
    }
    await Promise.race([stop, new Promise((r) => setTimeout(r, 500))]);
  }
  return 0;
}

function statsCommand(db: Database.Database, since: Date, json: boolean, io: AuditIo): number {
  const s = stats(db, since);
  if (json) {
    io.out(JSON.stringify(s, null, 2));
    return 0;
  }
  io.out(`Since ${s.since}: ${s.calls} calls`);
  if (s.calls > 0) {
    io.out('\nCalls by method and outcome:');
    for (const r of s.byMethod) io.out(`  ${r.method.padEnd(16)} ${r.outcome.padEnd(10)} ${r.count}`);
    io.out('\nDuration (ms):        count      p50      p95      p99');
    for (const d of s.durations) {
      const f = (v: number | null) => (v === null ? '-' : v.toFixed(1)).padStart(8);
      io.out(`  ${d.method.padEnd(16)} ${String(d.count).padStart(8)} ${f(d.p50)} ${f(d.p95)} ${f(d.p99)}`);
    }
  }
  io.out(s.errorsByReason.length ? '\nErrors by reason:' : '\nErrors: none');
  for (const e of s.errorsByReason) io.out(`  ${e.reason.padEnd(22)} ${e.count}`);
  if (s.connections.length) io.out(`\nConnections: ${s.connections.map((c) => `${c.event} ${c.count}`).join(', ')}`);
  return 0;
}

async function exportCommand(
  db: Database.Database,
  since: Date,
  values: { format?: string; out?: string },
  io: AuditIo,
): Promise<number> {
  const format = values.format ?? 'csv';
  if (!values.out) {
    exportRows(rowsSince(db, since), format as ExportFormat, io.out);
    return 0;
  }
  // 'wx': never overwrite an existing file (opened here so that the refusal comes at once).
  const stream = createWriteStream('', { fd: openSync(values.out, 'wx') });
  const failed = once(stream, 'error').then(([error]) => {
    throw error;
  });
  const write = async (line: string) => {
    if (!stream.write(`${line}\n`)) await Promise.race([once(stream, 'drain'), failed]);
  };
  let n = 0;
  if (format === 'csv') await write(csvHeader());
  for (const r of rowsSince(db, since)) {
    await write(format === 'csv' ? csvLine(r) : jsonLine(r));
    n++;
  }
  await Promise.race([new Promise<void>((resolve) => stream.end(resolve)), failed]);
  io.err(`Exported ${n} rows to ${values.out}`);
  return 0;
}

function sinceOption(text: string): Date {
  const since = parseSince(text);
  if (!since) throw new UsageError(`--since: expected e.g. 24h, 7d, 30m or a date like 2026-01-31.\n\nUsage: ${USAGE}`);
  return since;
}

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
