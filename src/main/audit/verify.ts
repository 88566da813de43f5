// Walks the hash chain from the newest anchor (or the genesis) to the last row and reports the
// first row that does not fit: a changed value, a changed hash, a missing row, or an anchor that
// no prune record vouches for.
import type Database from 'better-sqlite3';
import { chainHash, type DbRow, GENESIS_HASH, rowFromDb } from './audit-row.js';

export interface VerifyResult {
  ok: boolean;
  rows: number;
  firstSeq: number | null;
  lastSeq: number | null;
  firstTime: string | null;
  lastTime: string | null;
  /** Hash of the last row: note it down to detect later truncation of the tail. */
  headHash: string | null;
  anchor: { seq: number; hash: string } | null;
  broken?: { seq: number | null; problem: string };
}

export function verifyChain(db: Database.Database): VerifyResult {
  const anchor =
    (db.prepare('SELECT seq, hash FROM audit_anchor ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; hash: string }
      | undefined) ?? null;
  const result: VerifyResult = {
    ok: true,
    rows: 0,
    firstSeq: null,
    lastSeq: null,
    firstTime: null,
    lastTime: null,
    headHash: null,
    anchor,
  };
  const fail = (seq: number | null, problem: string): VerifyResult => ({
    ...result,
    ok: false,
    broken: { seq, problem },
  });

  let prevHash = anchor?.hash ?? GENESIS_HASH;
  let expectedSeq = (anchor?.seq ?? 0) + 1;
  let anchorVouched = anchor === null;
  for (const raw of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<DbRow>) {
    const row = rowFromDb(raw);
    if (row.seq !== expectedSeq) {
      return fail(
        row.seq,
        row.seq > expectedSeq
          ? `rows ${expectedSeq}${row.seq - 1 > expectedSeq ? `–${row.seq - 1}` : ''} are missing`
          : 'sequence number out of order',
      );
    }
    if (chainHash(prevHash, row.seq, row) !== row.hash) {
      return fail(row.seq, 'contents do not match the hash chain (the row or an earlier link was changed)');
    }
    if (anchor && row.kind === 'prune' && !anchorVouched) anchorVouched = prunedUpTo(row.detail, anchor);
    result.rows++;
    result.firstSeq ??= row.seq;
    result.firstTime ??= row.time;
    result.lastSeq = row.seq;
    result.lastTime = row.time;
    result.headHash = row.hash;
    prevHash = row.hash;
    expectedSeq = row.seq + 1;
  }
  if (!anchorVouched) {
    return fail(anchor?.seq ?? null, 'the pruning anchor is not confirmed by a prune record');
  }
  return result;
}

function prunedUpTo(detail: string | null, anchor: { seq: number; hash: string }): boolean {
  try {
    const d = JSON.parse(detail ?? '') as { upToSeq?: unknown; anchorHash?: unknown };
    return d.upToSeq === anchor.seq && d.anchorHash === anchor.hash;
  } catch {
    return false;
  }
}

export function describeVerify(r: VerifyResult): string {
  if (!r.ok && r.broken) {
    return r.broken.seq === null
      ? `BROKEN: ${r.broken.problem}.`
      : `BROKEN at row ${r.broken.seq}: ${r.broken.problem}. ${r.rows} rows before it are intact.`;
  }
  if (r.rows === 0) return 'intact, 0 rows';
  const pruned = r.anchor ? ` (rows up to ${r.anchor.seq} removed by retention)` : '';
  return `intact, ${r.rows} rows from ${r.firstTime} to ${r.lastTime}${pruned}\nlast row ${r.lastSeq}, hash ${r.headHash}`;
}
