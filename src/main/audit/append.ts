// Appends entries to the chain in one IMMEDIATE transaction. The head is read inside the
// transaction, so several writers on one file (two processes, a tool) still form one chain.
import type Database from 'better-sqlite3';
import { type AuditEntry, chainHash, GENESIS_HASH } from './audit-row.js';

export interface ChainHead {
  seq: number;
  hash: string;
}

const statements = new WeakMap<Database.Database, ReturnType<typeof prepare>>();

function prepare(db: Database.Database) {
  return {
    lastRow: db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'),
    lastAnchor: db.prepare('SELECT seq, hash FROM audit_anchor ORDER BY seq DESC LIMIT 1'),
    insert: db.prepare(
      `INSERT INTO audit_log (seq, time, kind, session_id, request_id, method, outcome, reason,
         duration_ms, bytes_in, bytes_out, event, code, detail, hash)
       VALUES (@seq, @time, @kind, @sessionId, @requestId, @method, @outcome, @reason,
         @durationMs, @bytesIn, @bytesOut, @event, @code, @detail, @hash)`,
    ),
  };
}

function stmts(db: Database.Database) {
  let s = statements.get(db);
  if (!s) {
    s = prepare(db);
    statements.set(db, s);
  }
  return s;
}

/** The last row, else the newest anchor (everything pruned), else the genesis. */
export function chainHead(db: Database.Database): ChainHead {
  const s = stmts(db);
  return (
    (s.lastRow.get() as ChainHead | undefined) ??
    (s.lastAnchor.get() as ChainHead | undefined) ?? { seq: 0, hash: GENESIS_HASH }
  );
}

/** Inserts without opening a transaction: callers hold one. */
export function appendInTransaction(db: Database.Database, entries: readonly AuditEntry[]): ChainHead {
  const s = stmts(db);
  let head = chainHead(db);
  for (const entry of entries) {
    const seq = head.seq + 1;
    const hash = chainHash(head.hash, seq, entry);
    s.insert.run({ ...entry, seq, hash });
    head = { seq, hash };
  }
  return head;
}

export function appendEntries(db: Database.Database, entries: readonly AuditEntry[]): ChainHead {
  return db.transaction(() => appendInTransaction(db, entries)).immediate();
}
