// The audit writer in a worker thread keeps every guarantee of the one on the main thread: rows in
// order on one intact chain (also across the move from the main thread to the worker), rows
// lost on a full disk counted and recorded as a gap, retention with its anchor, readers beside it,
// and nothing queued lost when the process exits.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { AuditWriter } from '../../src/main/audit/audit-writer.js';
import { openAuditDbForReading } from '../../src/main/audit/open-db.js';
import { verifyChain } from '../../src/main/audit/verify.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { callEvent } from './fixtures.js';

const run = promisify(execFile);

function requestIdsInOrder(file: string): string[] {
  const db = openAuditDbForReading(file);
  try {
    return (
      db.prepare("SELECT request_id AS id FROM audit_log WHERE kind = 'call' ORDER BY seq").all() as Array<{
        id: string;
      }>
    ).map((r) => r.id);
  } finally {
    db.close();
  }
}

test('a writer in a worker thread: rows in order on an intact chain, visible to a reader beside it', async (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const writer = new AuditWriter({ path: file, thread: 'always', flushIntervalMs: 5 });
  t.after(() => writer.close());
  assert.equal(writer.threaded, true, 'the worker started');
  const reader = openAuditDbForReading(file);
  t.after(() => reader.close());
  const count = () => (reader.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;

  for (let i = 0; i < 3_000; i++) {
    writer.recordCall(callEvent(i));
    if (i % 100 === 0) await new Promise((r) => setImmediate(r));
  }
  // Written by the worker while this thread waits on its event loop, not by a flush from here.
  const deadline = Date.now() + 20_000;
  while (count() < 3_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(count(), 3_000);
  writer.flush();
  const status = writer.status();
  assert.equal(status.state, 'ok');
  assert.equal(status.written, 3_000);
  assert.equal(status.lost, 0);
  assert.equal(status.queued, 0);
  assert.deepEqual(
    requestIdsInOrder(file),
    Array.from({ length: 3_000 }, (_, i) => String(callEvent(i).requestId)),
  );
  assert.equal(verifyChain(reader).ok, true);
  assert.equal(writer.recentCalls(5).length, 5, 'the status view reads through the worker');
  assert.equal(writer.countsSince(new Date(0)).lookups, 1_000);
});

test('an auto writer stays on the main thread at a trickle and moves to the worker under load, chain unbroken', async (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const writer = new AuditWriter({ path: file, flushIntervalMs: 5, threadAfterBatch: 32 });
  t.after(() => writer.close());
  let i = 0;
  for (; i < 20; i++) {
    writer.recordCall(callEvent(i));
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(writer.threaded, false, 'one row at a time needs no worker');
  const deadline = Date.now() + 30_000;
  while (!writer.threaded && Date.now() < deadline) {
    for (let k = 0; k < 200; k++) writer.recordCall(callEvent(i++));
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(writer.threaded, true, 'batches of 200 rows moved it to the worker');
  for (let k = 0; k < 500; k++) writer.recordCall(callEvent(i++));
  writer.close();
  assert.equal(writer.status().written, i);
  assert.equal(writer.status().lost, 0);
  assert.deepEqual(
    requestIdsInOrder(file),
    Array.from({ length: i }, (_, k) => String(callEvent(k).requestId)),
  );
  const reader = openAuditDbForReading(file);
  t.after(() => reader.close());
  const chain = verifyChain(reader);
  assert.equal(chain.ok, true);
  assert.equal(chain.rows, i);
});

test('retention applied through the worker: old rows pruned, anchored, chain verifies', (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  let now = new Date('2026-01-01T12:00:00Z');
  const writer = new AuditWriter({ path: file, thread: 'always', retentionDays: 10, now: () => now });
  t.after(() => writer.close());
  assert.equal(writer.threaded, true);
  for (let i = 0; i < 5; i++) writer.recordCall(callEvent(i));
  writer.flush();
  now = new Date('2026-01-20T12:00:00Z');
  for (let i = 5; i < 8; i++) writer.recordCall(callEvent(i));
  assert.equal(writer.prune()?.rows, 5);
  writer.close();
  const reader = openAuditDbForReading(file);
  t.after(() => reader.close());
  const kinds = reader.prepare('SELECT kind FROM audit_log ORDER BY seq').all() as Array<{ kind: string }>;
  assert.deepEqual(
    kinds.map((k) => k.kind),
    ['call', 'call', 'call', 'prune'],
  );
  assert.equal(verifyChain(reader).ok, true);
});

test('rows still queued for the worker are on disk after the process exits', async (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const script = path.join(import.meta.dirname, 'scenarios', 'exit-with-rows-queued.ts');
  for (const how of ['exit', 'end']) {
    const target = `${file}.${how}`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, target, how], {
      cwd: path.resolve(import.meta.dirname, '..', '..'),
      timeout: 60_000,
    });
    assert.match(stdout, /threaded true/);
    assert.equal(requestIdsInOrder(target).length, 8_000, `after process ${how}`);
  }
});

test('a worker that died unseen: the flush on exit gives up on it and the loss is in the log', async (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const script = path.join(import.meta.dirname, 'scenarios', 'worker-gone-at-exit.ts');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, file], {
    cwd: path.resolve(import.meta.dirname, '..', '..'),
    timeout: 120_000,
  });
  assert.match(stdout, /threaded true/);
  assert.equal(requestIdsInOrder(file).length, 100, 'the rows the worker wrote');
  const reader = openAuditDbForReading(file);
  t.after(() => reader.close());
  const gaps = reader.prepare("SELECT detail FROM audit_log WHERE kind = 'gap'").all() as Array<{ detail: string }>;
  assert.equal(
    gaps.reduce((n, g) => n + JSON.parse(g.detail).rows, 0),
    50,
    'the 50 rows handed to the dead worker are recorded as missing',
  );
  assert.equal(verifyChain(reader).ok, true);
});

// A full disk needs a small filesystem: a tmpfs, which only root can mount.
function tryMountTmpfs(dir: string): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'mounting a small disk needs root on Linux';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]})`;
  }
}

const mountPoint = tempDir({ after: (fn: () => void) => process.on('exit', fn) }, 'cc-worker-disk-');
const skip = tryMountTmpfs(mountPoint);

test(
  'a full disk under the worker: rows lost are counted and recorded as a gap when space returns',
  { skip: skip ?? false },
  async (t) => {
    t.after(() => {
      execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' });
    });
    const dir = path.join(mountPoint, 'audit');
    mkdirSync(dir);
    const file = path.join(dir, 'audit.sqlite');
    const logger = captureLogger();
    const writer = new AuditWriter({ path: file, thread: 'always', flushIntervalMs: 5, logger });
    t.after(() => writer.close());
    assert.equal(writer.threaded, true);
    let recorded = 0;
    const record = (n: number) => {
      for (let k = 0; k < n; k++) writer.recordCall(callEvent(recorded++));
    };
    record(50);
    writer.flush();
    assert.equal(writer.status().state, 'ok');

    const filler = path.join(mountPoint, 'filler');
    const fd = openSync(filler, 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(16 * 1024));
    } catch (error) {
      assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      closeSync(fd);
    }
    for (let round = 0; round < 50 && writer.status().state !== 'failing'; round++) {
      record(500);
      await new Promise((r) => setTimeout(r, 10));
    }
    writer.flush();
    const failing = writer.status();
    assert.equal(failing.state, 'failing');
    assert.equal(failing.problem, 'full');
    assert.ok(failing.lost > 0);
    assert.equal(logger.lines.filter((l) => l.includes('audit log cannot be written')).length, 1, 'one log line');

    rmSync(filler);
    record(20);
    writer.flush();
    const after = writer.status();
    assert.equal(after.state, 'ok');
    assert.equal(after.warning?.code, 'audit_rows_lost');
    const reader = openAuditDbForReading(file);
    t.after(() => reader.close());
    const calls = (reader.prepare("SELECT count(*) AS n FROM audit_log WHERE kind = 'call'").get() as { n: number }).n;
    assert.equal(calls + after.lost, recorded, 'every row is either on disk or counted as lost');
    const gaps = reader.prepare("SELECT detail FROM audit_log WHERE kind = 'gap'").all() as Array<{ detail: string }>;
    assert.equal(
      gaps.reduce((n, g) => n + JSON.parse(g.detail).rows, 0),
      after.lost,
      'the chain says how many are missing',
    );
    assert.equal(verifyChain(reader).ok, true);
  },
);
