import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { AuditWriter } from '../../src/main/audit/audit-writer.js';
import { openAuditDbForReading } from '../../src/main/audit/open-db.js';
import { tail } from '../../src/main/audit/queries.js';
import { verifyChain } from '../../src/main/audit/verify.js';
import { tempDir } from '../helpers/temp-dir.js';
import { callEvent, rawConnection } from './fixtures.js';

const DAY = 86_400_000;

test('retention removes old rows through an anchor and verify stays green', (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  let now = new Date('2026-01-01T12:00:00Z');
  const writer = new AuditWriter({ path: file, retentionDays: 90, now: () => now });
  t.after(() => writer.close());
  // 120 days of activity, 3 calls a day.
  for (let day = 0; day < 120; day++) {
    for (let i = 0; i < 3; i++) writer.recordCall(callEvent(day * 3 + i + 1));
    writer.flush();
    now = new Date(now.getTime() + DAY);
  }
  const first = writer.prune();
  // Days 0..29 plus the first call of the day that is exactly 90 days old are older than the cutoff.
  assert.ok(first && first.rows >= 90 && first.rows <= 93, `pruned ${first?.rows}`);

  const db = openAuditDbForReading(file);
  t.after(() => db.close());
  const afterFirst = verifyChain(db);
  assert.equal(afterFirst.ok, true, afterFirst.broken?.problem);
  assert.equal(afterFirst.anchor?.seq, first.upToSeq);
  assert.equal(afterFirst.firstSeq, (first.upToSeq ?? 0) + 1);
  const last = tail(db, 1)[0];
  assert.equal(last?.kind, 'prune');
  assert.equal(JSON.parse(last?.detail ?? '{}').rows, first.rows);

  // Later writes and a second prune keep the chain verifiable from the newest anchor.
  for (let i = 0; i < 10; i++) writer.recordCall(callEvent(1000 + i));
  now = new Date(now.getTime() + 10 * DAY);
  const second = writer.prune();
  assert.ok(second && second.rows > 0);
  const afterSecond = verifyChain(db);
  assert.equal(afterSecond.ok, true, afterSecond.broken?.problem);
  assert.equal(afterSecond.anchor?.seq, second.upToSeq);

  // The permit ended with the prune: deleting is refused again.
  const raw = rawConnection(file);
  t.after(() => raw.close());
  assert.throws(() => raw.exec('DELETE FROM audit_log'));
});

test('when every row is older than the retention period the prune record alone remains, verifiable', (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  let now = new Date('2026-01-01T12:00:00Z');
  const writer = new AuditWriter({ path: file, retentionDays: 1, now: () => now });
  t.after(() => writer.close());
  for (let i = 1; i <= 5; i++) writer.recordCall(callEvent(i));
  writer.flush();
  now = new Date(now.getTime() + 3 * DAY);
  assert.equal(writer.prune()?.rows, 5);
  writer.recordConnection({ event: 'connected', sessionId: 's-2' });
  writer.close();
  const db = openAuditDbForReading(file);
  t.after(() => db.close());
  const result = verifyChain(db);
  assert.equal(result.ok, true, result.broken?.problem);
  assert.equal(result.rows, 2);
  assert.equal(result.firstSeq, 6);
});

test('pruning runs when the writer starts, using the configured retention', (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  let now = new Date('2026-01-01T12:00:00Z');
  const old = new AuditWriter({ path: file, now: () => now });
  for (let i = 1; i <= 4; i++) old.recordCall(callEvent(i));
  old.close();
  now = new Date(now.getTime() + 91 * DAY);
  const writer = new AuditWriter({ path: file, now: () => now });
  t.after(() => writer.close());
  const db = openAuditDbForReading(file);
  t.after(() => db.close());
  const rows = tail(db, 10);
  assert.deepEqual(
    rows.map((r) => r.kind),
    ['prune'],
  );
  assert.equal(verifyChain(db).ok, true);
});
