// Tampering with the file by hand (triggers dropped, as anyone with a raw SQLite tool could do)
// must make verify fail at the row that was touched.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type Database from 'better-sqlite3';
import { AUDIT_COLUMNS } from '../../src/main/audit/audit-row.js';
import { AuditWriter } from '../../src/main/audit/audit-writer.js';
import { verifyChain } from '../../src/main/audit/verify.js';
import { tempDir } from '../helpers/temp-dir.js';
import { callEvent, rawConnection } from './fixtures.js';

function buildLog(t: Parameters<typeof tempDir>[0]): Database.Database {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const writer = new AuditWriter({ path: file });
  writer.recordConnection({ event: 'connected', sessionId: 's-1' });
  for (let i = 1; i <= 6; i++) writer.recordCall(callEvent(i));
  writer.recordConfigChange(['patientLookup']);
  writer.recordConnection({ event: 'disconnected', sessionId: 's-1', code: 1006 });
  writer.close();
  const raw = rawConnection(file);
  t.after(() => raw.close());
  raw.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_anchor_no_update');
  return raw;
}

function mutations(value: string | number | null): Array<string | number> {
  if (value === null) return ['x', 0];
  if (typeof value === 'number') return [value + 1, value - 1, value + 0.001];
  // Every character position, changed to another character.
  return [...value].map((c, i) => value.slice(0, i) + (c === 'a' ? 'b' : 'a') + value.slice(i + 1));
}

test('changing any byte of any column of any row breaks verify at that row', (t) => {
  const raw = buildLog(t);
  assert.equal(verifyChain(raw).ok, true);
  const rows = raw.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Array<
    Record<string, string | number | null>
  >;
  assert.equal(rows.length, 9);
  let tried = 0;
  for (const row of rows) {
    for (const column of AUDIT_COLUMNS) {
      if (column === 'seq') continue;
      const original = row[column] ?? null;
      for (const changed of mutations(original)) {
        let update: Database.Statement;
        try {
          update = raw.prepare(`UPDATE audit_log SET ${column} = ? WHERE seq = ?`);
          update.run(changed, row.seq);
        } catch {
          continue; // the STRICT schema refused this type for the column: not a change anyone can make
        }
        const result = verifyChain(raw);
        assert.equal(result.ok, false, `${column} of row ${row.seq} changed unnoticed`);
        assert.equal(result.broken?.seq, row.seq, `${column} of row ${row.seq} reported elsewhere`);
        update.run(original, row.seq);
        tried++;
      }
    }
  }
  assert.equal(verifyChain(raw).ok, true, 'restoring every value makes the chain whole again');
  assert.ok(tried > 500, `only ${tried} mutations tried`);
});

test('a renumbered or removed row is reported where the chain breaks', (t) => {
  const raw = buildLog(t);
  raw.prepare('UPDATE audit_log SET seq = 100 WHERE seq = 9').run();
  assert.equal(verifyChain(raw).broken?.seq, 100);
  raw.prepare('UPDATE audit_log SET seq = 9 WHERE seq = 100').run();

  raw.prepare('DELETE FROM audit_log WHERE seq = 4').run();
  const missing = verifyChain(raw);
  assert.equal(missing.broken?.seq, 5);
  assert.match(missing.broken?.problem ?? '', /rows 4 are missing/);
});

test('removing the first rows is noticed even without a prune anchor', (t) => {
  const raw = buildLog(t);
  raw.prepare('DELETE FROM audit_log WHERE seq <= 3').run();
  assert.equal(verifyChain(raw).broken?.seq, 4);
});

test('an anchor slipped in by hand is not accepted', (t) => {
  const raw = buildLog(t);
  const row3 = raw.prepare('SELECT hash FROM audit_log WHERE seq = 3').get() as { hash: string };
  raw.prepare('DELETE FROM audit_log WHERE seq <= 3').run();
  raw
    .prepare("INSERT INTO audit_anchor (seq, hash, pruned_at) VALUES (3, ?, '2026-01-01T00:00:00.000Z')")
    .run(row3.hash);
  const result = verifyChain(raw);
  assert.equal(result.ok, false);
  assert.match(result.broken?.problem ?? '', /anchor is not confirmed/);
});
