import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { AuditWriter } from '../../src/main/audit/audit-writer.js';
import { type AuditIo, audit } from '../../src/main/cli/audit.js';
import { tempDir } from '../helpers/temp-dir.js';
import { callEvent, rawConnection } from './fixtures.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');

function io(): AuditIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

function logWith(t: Parameters<typeof tempDir>[0], n: number): { file: string; writer: AuditWriter } {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const writer = new AuditWriter({ path: file });
  t.after(() => writer.close());
  writer.recordConnection({ event: 'connected', sessionId: 's-1' });
  for (let i = 1; i <= n; i++) writer.recordCall(callEvent(i));
  writer.flush();
  return { file, writer };
}

test('`cloud-connector audit verify` says intact (exit 0), or names the first broken row (exit 1)', async (t) => {
  const { file, writer } = logWith(t, 30);
  writer.close();
  // The sources' CLI entry (bin/ prefers a build in dist/, which may be older than the sources).
  const cli = ['--import', 'tsx', path.join(ROOT, 'src', 'main', 'cli.ts')];
  const ok = await run(process.execPath, [...cli, 'audit', 'verify', '--db', file], { cwd: ROOT });
  assert.match(ok.stdout, /^intact, 31 rows from \d{4}-\d\d-\d\dT\S+Z to \d{4}-\d\d-\d\dT\S+Z\n/);

  const raw = rawConnection(file);
  raw.exec('DROP TRIGGER audit_log_no_update');
  raw.prepare('UPDATE audit_log SET duration_ms = duration_ms + 1 WHERE seq = 17').run();
  raw.close();
  const broken = await run(process.execPath, [...cli, 'audit', 'verify', '--db', file], { cwd: ROOT }).catch((e) => e);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /BROKEN at row 17: .*16 rows before it are intact/);
});

test('tail prints the last rows and --follow prints new ones as they are written', async (t) => {
  const { file, writer } = logWith(t, 10);
  const out = io();
  assert.equal(await audit(['tail', '--db', file, '-n', '3'], out), 0);
  assert.equal(out.lines.length, 3);
  assert.match(out.lines[2] ?? '', /\s11\s+call\s+consent\.store ok\s+10\.25 ms\s+in 110 B out 210 B\s+session s-1$/);

  let stop: () => void = () => {};
  const follow = io();
  follow.stopFollowing = new Promise((r) => {
    stop = r;
  });
  const running = audit(['tail', '--db', file, '-n', '0', '--follow'], follow);
  writer.recordConnection({ event: 'disconnected', sessionId: 's-1', code: 1006 });
  writer.flush();
  for (let i = 0; i < 50 && follow.lines.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  stop();
  assert.equal(await running, 0);
  assert.equal(follow.lines.length, 1);
  assert.match(follow.lines[0] ?? '', /connection\s+disconnected code 1006/);
});

test('stats reports calls per method and outcome, percentiles and errors by reason', async (t) => {
  const { file } = logWith(t, 100);
  const out = io();
  assert.equal(await audit(['stats', '--db', file, '--since', '1h', '--json'], out), 0);
  const s = JSON.parse(out.lines.join('\n'));
  assert.equal(s.calls, 100);
  const lookup = s.durations.find((d: { method: string }) => d.method === 'patient.lookup');
  assert.equal(lookup.count, 33);
  // Durations are (i % 100) + 0.25 for i = 3, 6, …, 99: nearest-rank p50 is the 17th of 33.
  assert.equal(lookup.p50, 51.25);
  assert.equal(lookup.p99, 99.25);
  assert.deepEqual(s.errorsByReason, [
    { reason: 'busy', count: 7 },
    { reason: 'source_timeout', count: 7 },
  ]);
  const text = io();
  await audit(['stats', '--db', file], text);
  assert.match(text.lines.join('\n'), /p50\s+p95\s+p99/);
  assert.match(text.lines.join('\n'), /source_timeout\s+7/);
});

test('export writes CSV and JSON Lines, limited by --since, and never overwrites a file', async (t) => {
  const { file } = logWith(t, 5);
  const dir = tempDir(t);
  const csvFile = path.join(dir, 'audit.csv');
  assert.equal(await audit(['export', '--db', file, '--since', '1d', '--format', 'csv', '--out', csvFile], io()), 0);
  const csv = readFileSync(csvFile, 'utf8').trim().split('\n');
  assert.equal(
    csv[0],
    'seq,time,kind,session_id,request_id,method,outcome,reason,duration_ms,bytes_in,bytes_out,event,code,detail,hash',
  );
  assert.equal(csv.length, 7);
  await assert.rejects(audit(['export', '--db', file, '--format', 'csv', '--out', csvFile], io()), /EEXIST/);

  const jsonl = io();
  await audit(['export', '--db', file, '--format', 'jsonl'], jsonl);
  assert.equal(jsonl.lines.length, 6);
  assert.equal(JSON.parse(jsonl.lines[1] ?? '{}').method, 'consent.store');

  const none = io();
  await audit(['export', '--db', file, '--format', 'jsonl', '--since', '2999-01-01'], none);
  assert.equal(none.lines.length, 0);
});

test('usage errors name the option; a missing database is explained', async (t) => {
  await assert.rejects(audit(['verify'], io()), /--db FILE or the connector's --config FILE/);
  await assert.rejects(audit(['frobnicate', '--db', 'x'], io()), /Unknown audit subcommand "frobnicate"/);
  await assert.rejects(audit(['stats', '--db', 'x', '--since', 'yesterday'], io()), /--since: expected/);
  const out = io();
  assert.equal(await audit(['verify', '--db', path.join(tempDir(t), 'none.sqlite')], out), 2);
  assert.match(out.errors[0] ?? '', /No audit log at/);
});
