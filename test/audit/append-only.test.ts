import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { AuditWriter } from '../../src/main/audit/audit-writer.js';
import { openAuditDbForReading, openAuditDbForWriting } from '../../src/main/audit/open-db.js';
import { verifyChain } from '../../src/main/audit/verify.js';
import { tempDir } from '../helpers/temp-dir.js';
import { callEvent, rawConnection } from './fixtures.js';

function writerWithRows(t: Parameters<typeof tempDir>[0], n: number): AuditWriter {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const writer = new AuditWriter({ path: file });
  t.after(() => writer.close());
  for (let i = 1; i <= n; i++) writer.recordCall(callEvent(i));
  writer.flush();
  return writer;
}

test('rows are chained and verify reports them intact', (t) => {
  const writer = writerWithRows(t, 25);
  writer.close();
  const db = openAuditDbForReading(writer.path);
  t.after(() => db.close());
  const result = verifyChain(db);
  assert.equal(result.ok, true);
  assert.equal(result.rows, 25);
  assert.equal(result.firstSeq, 1);
  assert.equal(result.lastSeq, 25);
});

test('UPDATE and DELETE are refused from a raw SQLite connection', (t) => {
  const writer = writerWithRows(t, 5);
  const raw = rawConnection(writer.path);
  t.after(() => raw.close());
  assert.throws(() => raw.prepare("UPDATE audit_log SET method = 'x' WHERE seq = 2").run(), /append-only/);
  // Only the connector's own connection knows the permit function, so elsewhere DELETE cannot even run.
  assert.throws(() => raw.prepare('DELETE FROM audit_log WHERE seq = 2').run(), /cc_audit_prune_permitted/);
  assert.throws(() => raw.exec('DELETE FROM audit_log'), /cc_audit_prune_permitted/);
  const count = raw.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number };
  assert.equal(count.n, 5);
});

test("UPDATE and DELETE are refused on the connector's own connection outside pruning", (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const audit = openAuditDbForWriting(file);
  t.after(() => audit.close());
  const writer = new AuditWriter({ path: file });
  t.after(() => writer.close());
  writer.recordCall(callEvent(1));
  writer.flush();
  assert.throws(() => audit.db.prepare('UPDATE audit_log SET bytes_in = 0').run(), /append-only/);
  assert.throws(() => audit.db.prepare('DELETE FROM audit_log').run(), /append-only/);
  // A permit covers only the rows it names.
  assert.throws(
    () => audit.withPrunePermit(0, () => audit.db.prepare('DELETE FROM audit_log WHERE seq = 1').run()),
    /append-only/,
  );
  assert.equal((audit.db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n, 1);
});

test('anchors cannot be changed or removed', (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const day = 86_400_000;
  let now = new Date('2026-01-01T00:00:00Z');
  const writer = new AuditWriter({ path: file, retentionDays: 10, now: () => now });
  t.after(() => writer.close());
  writer.recordCall(callEvent(1));
  writer.flush();
  now = new Date(now.getTime() + 20 * day);
  assert.equal(writer.prune()?.rows, 1);
  const raw = rawConnection(file);
  t.after(() => raw.close());
  assert.throws(() => raw.prepare("UPDATE audit_anchor SET hash = 'x'").run(), /append-only/);
  assert.throws(() => raw.prepare('DELETE FROM audit_anchor').run(), /append-only/);
});

test('INSERT OR REPLACE cannot overwrite a row or an anchor (REPLACE would skip the DELETE trigger)', (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const day = 86_400_000;
  let now = new Date('2026-01-01T00:00:00Z');
  const writer = new AuditWriter({ path: file, retentionDays: 10, now: () => now });
  t.after(() => writer.close());
  writer.recordCall(callEvent(1));
  writer.flush();
  now = new Date(now.getTime() + 20 * day);
  assert.equal(writer.prune()?.rows, 1);
  writer.recordCall(callEvent(2));
  writer.recordCall(callEvent(3));
  writer.flush();
  const raw = rawConnection(file);
  t.after(() => raw.close());
  const before = raw.prepare('SELECT * FROM audit_log ORDER BY seq').all();
  const [row] = raw.prepare('SELECT seq FROM audit_log ORDER BY seq DESC LIMIT 1').all() as Array<{ seq: number }>;
  const seq = row?.seq ?? 0;
  for (const verb of ['INSERT OR REPLACE INTO', 'REPLACE INTO']) {
    assert.throws(
      () =>
        raw
          .prepare(`${verb} audit_log (seq, time, kind, hash) VALUES (?, '2026-01-01T00:00:00.000Z', 'call', 'x')`)
          .run(seq),
      /append-only/,
    );
    assert.throws(
      () => raw.prepare(`${verb} audit_anchor (seq, hash, pruned_at) SELECT seq, 'x', 'now' FROM audit_anchor`).run(),
      /append-only/,
    );
  }
  assert.deepEqual(raw.prepare('SELECT * FROM audit_log ORDER BY seq').all(), before);
  // A new row with a new seq is still accepted: the writer goes on appending.
  writer.recordCall(callEvent(4));
  writer.flush();
  assert.equal(writer.status().state, 'ok');
  writer.close();
  const reader = openAuditDbForReading(file);
  t.after(() => reader.close());
  assert.equal(verifyChain(reader).ok, true);
});

test('an audit log from before the REPLACE guard gains it when the connector opens it', (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const first = new AuditWriter({ path: file });
  first.recordCall(callEvent(1));
  first.close();
  // Make the file look like schema version 1: no REPLACE triggers.
  const raw = rawConnection(file);
  t.after(() => raw.close());
  raw.exec('DROP TRIGGER audit_log_no_replace; DROP TRIGGER audit_anchor_no_replace; PRAGMA user_version = 1');
  const writer = new AuditWriter({ path: file });
  t.after(() => writer.close());
  assert.equal(raw.pragma('user_version', { simple: true }), 2);
  assert.throws(
    () =>
      raw
        .prepare("REPLACE INTO audit_log (seq, time, kind, hash) VALUES (1, '2026-01-01T00:00:00.000Z', 'call', 'x')")
        .run(),
    /append-only/,
  );
});
