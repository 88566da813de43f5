// The hash chain's bytes are a file format: logs written by earlier versions must keep verifying,
// and a faster writer must store exactly the same rows and hashes. The expected hashes below were
// produced by the writer as it was before the insert was tuned (one statement shape for every
// row kind); they may never change.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import { appendEntries } from '../../src/main/audit/append.js';
import { type AuditEntry, canonicalEncoding, GENESIS_HASH } from '../../src/main/audit/audit-row.js';
import { callEntry, configEntry, connectionEntry, gapEntry } from '../../src/main/audit/entries.js';
import { openAuditDbForReading, openAuditDbForWriting } from '../../src/main/audit/open-db.js';
import { verifyChain } from '../../src/main/audit/verify.js';
import { tempDir } from '../helpers/temp-dir.js';
import { callEvent } from './fixtures.js';

/**
 * A call row as earlier versions wrote it: they kept free-form request ids such as `r7` verbatim.
 * Today's entries never hold one (request-id.ts), but logs that do must keep verifying, so the
 * rows below carry them exactly as written then.
 */
function call(i: number, time: string, overrides: Parameters<typeof callEvent>[1] = {}): AuditEntry {
  return { ...callEntry(callEvent(i, overrides), time), requestId: `r${i}` };
}

/** 75 rows: runs of call rows longer and shorter than one multi-row INSERT, broken by other kinds. */
function entries(): AuditEntry[] {
  const at = (i: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, 5, i));
  const out: AuditEntry[] = [connectionEntry({ event: 'connected', sessionId: 's-1' }, at(0))];
  for (let i = 1; i <= 40; i++) out.push(call(i, at(i).toISOString()));
  out.push(configEntry('changed', ['patientLookup', 'audit'], at(41)));
  for (let i = 42; i <= 70; i++) out.push(call(i, at(i).toISOString()));
  out.push(gapEntry(3, at(60).toISOString(), at(61).toISOString(), at(71)));
  out.push(call(72, at(72).toISOString(), { sessionId: null, durationMs: 0 }));
  out.push(connectionEntry({ event: 'disconnected', sessionId: 's-1', code: 1006 }, at(73)));
  out.push(call(74, at(74).toISOString(), { method: '', reason: 'not a token' }));
  return out;
}

const EXPECTED = {
  row1: '6996db4f7add5c7a278cf2e8a4a9f658921241958cb20a2f1404adf83107ba7e',
  row41: '79b88de2c882ff1ab0b811d10fc9cdaff64fc3b7ae13afd7e9e30619c9d27988',
  row42: '88029dc1196e6f5298459a847f235a70bd27c0826f634028ba5444b726288f3c',
  head: '2f21b181cacb679ab2ec2fa1d8e1f3903050bc121147f5c98da9c1a12e86014b',
};

test('rows are stored as given and hashed as earlier versions hashed them', (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const writer = openAuditDbForWriting(file);
  const given = entries();
  appendEntries(writer.db, given);
  writer.close();

  const db = openAuditDbForReading(file);
  t.after(() => db.close());
  const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Array<Record<string, unknown>>;
  assert.equal(rows.length, given.length);
  given.forEach((e, i) => {
    const r = rows[i] as Record<string, unknown>;
    assert.deepEqual(
      [r.seq, r.time, r.kind, r.session_id, r.request_id, r.method, r.outcome, r.reason],
      [i + 1, e.time, e.kind, e.sessionId, e.requestId, e.method, e.outcome, e.reason],
    );
    assert.deepEqual(
      [r.duration_ms, r.bytes_in, r.bytes_out, r.event, r.code, r.detail],
      [e.durationMs, e.bytesIn, e.bytesOut, e.event, e.code, e.detail],
    );
  });
  // The hash definition, spelled out independently of chainHash.
  let prev = GENESIS_HASH;
  given.forEach((e, i) => {
    prev = createHash('sha256')
      .update(prev + canonicalEncoding(i + 1, e), 'utf8')
      .digest('hex');
    assert.equal(rows[i]?.hash, prev);
  });
  assert.deepEqual(
    { row1: rows[0]?.hash, row41: rows[40]?.hash, row42: rows[41]?.hash, head: rows.at(-1)?.hash },
    EXPECTED,
  );
  assert.equal(verifyChain(db).ok, true);
});
