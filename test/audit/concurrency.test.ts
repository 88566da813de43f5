// 100,000 rows from concurrent calls in this process and from two other processes writing the
// same file at the same time: one unbroken chain, nothing lost, nothing duplicated.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { AuditWriter } from '../../src/main/audit/audit-writer.js';
import { openAuditDbForReading } from '../../src/main/audit/open-db.js';
import { stats } from '../../src/main/audit/queries.js';
import { verifyChain } from '../../src/main/audit/verify.js';
import { tempDir } from '../helpers/temp-dir.js';
import { callEvent } from './fixtures.js';

const run = promisify(execFile);

test('100,000 rows written concurrently form one intact chain', async (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const writer = new AuditWriter({ path: file, flushIntervalMs: 5 });
  t.after(() => writer.close());
  const script = path.join(import.meta.dirname, 'scenarios', 'write-rows.ts');
  const other = (session: string, n: number) =>
    run(process.execPath, ['--import', 'tsx', script, file, String(n), session], {
      cwd: path.resolve(import.meta.dirname, '..', '..'),
      timeout: 50_000,
    }).then(({ stdout }) => JSON.parse(stdout.trim()));

  const children = [other('child-a', 30_000), other('child-b', 30_000)];
  // Everyone starts together, once both children are up (see write-rows.ts).
  while (!['child-a', 'child-b'].every((s) => existsSync(`${file}.ready-${s}`))) {
    await new Promise((r) => setTimeout(r, 5));
  }
  writeFileSync(`${file}.go`, '');

  // 64 concurrent "calls" in this process, each finishing one after another with awaits between.
  const local = 40_000;
  const workers = 64;
  let next = 0;
  const calls = Array.from({ length: workers }, async () => {
    while (next < local) {
      const i = next++;
      await new Promise((r) => setImmediate(r));
      writer.recordCall(callEvent(i, { sessionId: 'main' }));
    }
  });
  const [a, b] = await Promise.all([...children, ...calls]);
  writer.flush();

  assert.equal(a.lost, 0);
  assert.equal(b.lost, 0);
  assert.equal(writer.status().lost, 0);
  const db = openAuditDbForReading(file);
  t.after(() => db.close());
  const result = verifyChain(db);
  assert.equal(result.ok, true, result.broken?.problem);
  assert.equal(result.rows, 100_000);
  assert.equal(result.firstSeq, 1);
  assert.equal(result.lastSeq, 100_000);
  const perSession = db
    .prepare(
      'SELECT session_id AS s, count(*) AS n, count(DISTINCT request_id) AS ids FROM audit_log GROUP BY 1 ORDER BY 1',
    )
    .all();
  assert.deepEqual(perSession, [
    { s: 'child-a', n: 30_000, ids: 30_000 },
    { s: 'child-b', n: 30_000, ids: 30_000 },
    { s: 'main', n: 40_000, ids: 40_000 },
  ]);
  // The writers really did interleave: the chain switches between them many times.
  const switches = db
    .prepare(
      'SELECT count(*) AS n FROM audit_log a JOIN audit_log b ON b.seq = a.seq + 1 WHERE a.session_id != b.session_id',
    )
    .get() as { n: number };
  t.diagnostic(`${switches.n} switches between writers`);
  assert.ok(switches.n >= 50, `only ${switches.n} switches between writers`);
  const s = stats(db, new Date(0));
  assert.equal(s.calls, 100_000);
});
