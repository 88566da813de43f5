// A full or read-only disk must never stop calls: the audit writer degrades to a warning and a
// count of rows it could not write, and says so in the process log once, not once per row.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { promisify } from 'node:util';
import { attachAudit } from '../../src/main/audit/attach.js';
import { AuditWriter } from '../../src/main/audit/audit-writer.js';
import { type AuditDb, openAuditDbForReading, openAuditDbForWriting } from '../../src/main/audit/open-db.js';
import { verifyChain } from '../../src/main/audit/verify.js';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);

test('a full disk: calls keep succeeding, the warning shows, lost rows are counted exactly, then it recovers', async (t) => {
  const fx = await startTestHub(t);
  const token = fx.mint('demo');
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: fx.hub.wsUrl }, token, { start: false });
  const file = path.join(tempDir(t), 'audit.sqlite');
  let audit: AuditDb | null = null;
  const logger = captureLogger();
  const writer = new AuditWriter({
    path: file,
    flushIntervalMs: 5,
    logger,
    open: (f) => {
      audit = openAuditDbForWriting(f);
      return audit;
    },
  });
  t.after(() => writer.close());
  attachAudit(runtime.connector, writer);
  let events = 0;
  runtime.connector.on('call', () => events++);
  runtime.connector.on('connection', () => events++);
  runtime.connector.start();
  await waitForState(runtime.connector, 'connected');

  const lookups = async (from: number, n: number) => {
    let ok = 0;
    for (let i = from; i < from + n; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, k) =>
          fx.call('patient.lookup', { identificationNumber: demoDirectory().at(i + k).localIdentifier }),
        ),
      );
      ok += batch.filter((r) => r.status === 200 && r.body.result?.patient).length;
      await new Promise((r) => setTimeout(r, 10));
    }
    return ok;
  };

  assert.equal(await lookups(0, 20), 20);
  writer.flush();
  assert.equal(writer.status().warning, null);

  // The disk fills up: SQLite may not grow the file by a single page any more.
  const db = (audit as AuditDb | null)?.db;
  assert.ok(db);
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
  assert.equal(await lookups(20, 300), 300, 'every call is answered while the audit log is failing');
  writer.flush();
  const failing = writer.status();
  assert.equal(failing.state, 'failing');
  assert.equal(failing.problem, 'full');
  assert.equal(failing.warning?.code, 'audit_unwritable');
  assert.match(failing.warning?.message ?? '', /the disk is full/);
  assert.ok(failing.lost > 0, 'some rows were lost');
  assert.equal(logger.lines.filter((l) => l.includes('audit log cannot be written')).length, 1, 'one log line');

  const reader = openAuditDbForReading(file);
  t.after(() => reader.close());
  const callRows = () =>
    (reader.prepare("SELECT count(*) AS n FROM audit_log WHERE kind IN ('call', 'connection')").get() as { n: number })
      .n;
  assert.equal(callRows() + failing.lost, events, 'every event is either written or counted as lost');

  // Space is freed: writing resumes, and the chain records the gap.
  db.pragma('max_page_count = 1073741823');
  assert.equal(await lookups(320, 10), 10);
  writer.flush();
  const after = writer.status();
  assert.equal(after.state, 'ok');
  assert.equal(after.warning?.code, 'audit_rows_lost');
  assert.equal(after.lost, failing.lost);
  assert.equal(callRows() + after.lost, events);
  const gap = reader.prepare("SELECT detail FROM audit_log WHERE kind = 'gap'").all() as Array<{ detail: string }>;
  assert.equal(gap.length, 1);
  assert.equal(JSON.parse(gap[0]?.detail ?? '{}').rows, failing.lost);
  assert.equal(verifyChain(reader).ok, true);
  assert.equal(logger.lines.filter((l) => l.includes('audit log writable again')).length, 1);
});

/** A folder (and optionally an audit file in it) that the scenario's process cannot write. */
function readOnlyTarget(t: Parameters<typeof tempDir>[0], withFile: boolean): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cc-ro-'));
  t.after(() => {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });
  const file = path.join(dir, 'audit.sqlite');
  if (withFile) {
    const w = new AuditWriter({ path: file });
    w.recordConnection({ event: 'connected', sessionId: 'earlier' });
    w.close();
    chmodSync(file, 0o444);
  }
  chmodSync(dir, 0o555);
  return file;
}

async function runReadOnlyScenario(t: TestContext, file: string, calls: number) {
  const fx = await startTestHub(t);
  const dataDir = tempDir(t);
  chmodSync(dataDir, 0o777); // the scenario may run as an unprivileged user
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'scenarios', 'read-only-run.ts'),
      file,
      dataDir,
      fx.hub.wsUrl,
      fx.hub.httpUrl,
      String(calls),
    ],
    {
      cwd: path.resolve(import.meta.dirname, '..', '..'),
      timeout: 45_000,
      env: { ...process.env, SCENARIO_TOKEN: fx.mint('demo') },
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
}

for (const withFile of [false, true]) {
  test(
    `a read-only ${withFile ? 'audit file' : 'audit folder'}: calls succeed, the status warns, every row is counted as lost`,
    {
      // chmod does not make a folder read-only on Windows.
      skip: process.platform === 'win32' && 'POSIX permissions only',
    },
    async (t) => {
      const file = readOnlyTarget(t, withFile);
      const out = await runReadOnlyScenario(t, file, 15);
      assert.notEqual(out.uid, 0, 'root would be allowed to write anyway');
      assert.equal(out.answered, 15);
      assert.equal(out.status.state, 'failing');
      assert.equal(out.status.problem, 'read_only');
      assert.equal(out.status.written, 0);
      assert.equal(out.status.lost, out.events, 'the connected event and every call');
      assert.ok(out.events >= 16);
      assert.equal(out.warnings.length, 1);
      assert.equal(out.warnings[0].code, 'audit_unwritable');
      assert.match(out.warnings[0].message, /read-only/);
      assert.match(out.warnings[0].fix, /writable/);
      assert.equal(out.logLines.filter((l: string) => l.includes('audit log cannot be written')).length, 1);
    },
  );
}

/** A writer on a fresh file whose disk can be "filled" and "freed" by the test. */
function fillableWriter(t: TestContext) {
  const file = path.join(tempDir(t), 'audit.sqlite');
  let audit: AuditDb | null = null;
  const logger = captureLogger();
  const writer = new AuditWriter({
    path: file,
    flushIntervalMs: 60_000,
    logger,
    open: (f) => {
      audit = openAuditDbForWriting(f);
      return audit;
    },
  });
  t.after(() => writer.close());
  const db = () => (audit as AuditDb | null)?.db as NonNullable<AuditDb['db']>;
  return {
    file,
    writer,
    logger,
    fill: () => db().pragma(`max_page_count = ${db().pragma('page_count', { simple: true })}`),
    free: () => db().pragma('max_page_count = 1073741823'),
    // Refuses every write, however small (a full disk may still fit one row in a half-used page).
    readOnly: () => db().pragma('query_only = ON'),
    loseSome: () => {
      for (let i = 0; i < 500; i++) writer.recordConnection({ event: 'connected', sessionId: `s-${i}` });
      writer.flush();
    },
  };
}

test('rows lost while the disk was full are recorded when it recovers, even if no further row ever comes', (t) => {
  const w = fillableWriter(t);
  w.writer.recordConnection({ event: 'connected', sessionId: 'first' });
  w.writer.flush();
  w.fill();
  w.loseSome();
  const lost = w.writer.status().lost;
  assert.ok(lost > 0, 'the full disk lost rows');
  w.free();
  w.writer.close(); // closed before any other row was recorded

  const reader = openAuditDbForReading(w.file);
  t.after(() => reader.close());
  const gaps = reader.prepare("SELECT detail FROM audit_log WHERE kind = 'gap'").all() as Array<{ detail: string }>;
  assert.equal(gaps.length, 1, 'the chain says rows are missing');
  assert.equal(JSON.parse(gaps[0]?.detail ?? '{}').rows, lost);
  assert.equal(verifyChain(reader).ok, true);
});

test('a status check after recovery records the loss at once', (t) => {
  const w = fillableWriter(t);
  w.fill();
  w.loseSome();
  w.free();
  w.writer.recentCalls(); // what the status view does; no new row is recorded
  const reader = openAuditDbForReading(w.file);
  t.after(() => reader.close());
  const n = reader.prepare("SELECT count(*) AS n FROM audit_log WHERE kind = 'gap'").get() as { n: number };
  assert.equal(n.n, 1);
});

test('closing while the disk is still full says in the process log how many rows were lost and when', (t) => {
  const w = fillableWriter(t);
  w.writer.recordConnection({ event: 'connected', sessionId: 'first' });
  w.writer.flush();
  w.readOnly();
  w.loseSome();
  const lost = w.writer.status().lost;
  assert.ok(lost > 0);
  w.writer.close();
  const line = w.logger.lines.find((l) => l.includes('closed with lost rows'));
  assert.ok(line, 'a warning names the unrecorded loss');
  assert.match(line, new RegExp(`rows[^0-9]*${lost}\\b`));
  assert.match(line, /from/);
  assert.match(line, /to/);
});
