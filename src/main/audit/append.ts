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
    // Positional parameters: binding them is cheaper than named ones, and this runs once per row.
    // They are passed as separate arguments (run(...values)), not as one array: better-sqlite3
    // reads an array element by element through V8's API, which costs about 1 µs a row more.
    insert: db.prepare(`INSERT INTO audit_log VALUES ${ROW}`),
    insertCall: db.prepare(`INSERT INTO audit_log VALUES ${CALL_ROW}`),
    insertCalls: db.prepare(`INSERT INTO audit_log VALUES ${Array(CHUNK).fill(CALL_ROW).join(', ')}`),
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

/** Rows per multi-row INSERT: one statement step for many rows is the cheapest way in. Values go
 * in the table's column order (schema.ts), which is AUDIT_COLUMNS. */
const CHUNK = 32;
const ROW = `(${Array(15).fill('?').join(', ')})`;
/** A call row has kind 'call' and no event, code or detail: those four are written as constants,
 * so almost every row binds 11 values instead of 15. The stored row is the same either way. */
const CALL_ROW = "(?, ?, 'call', ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?)";
const CALL_VALUES = 11;

function isPlainCall(e: AuditEntry): boolean {
  return e.kind === 'call' && e.event === null && e.code === null && e.detail === null;
}

/** Inserts without opening a transaction: callers hold one. Rows go in seq order. */
export function appendInTransaction(db: Database.Database, entries: readonly AuditEntry[]): ChainHead {
  const s = stmts(db);
  let head = chainHead(db);
  // Call rows waiting for a full chunk; any other row first writes these, one by one, so that
  // rows still go in seq order.
  let calls: unknown[] = [];
  let pending = 0;
  const writePending = () => {
    for (let i = 0; i < pending; i++) s.insertCall.run(...calls.slice(i * CALL_VALUES, (i + 1) * CALL_VALUES));
    calls = [];
    pending = 0;
  };
  for (const e of entries) {
    const seq = head.seq + 1;
    const hash = chainHash(head.hash, seq, e);
    head = { seq, hash };
    if (!isPlainCall(e)) {
      writePending();
      s.insert.run(
        seq,
        e.time,
        e.kind,
        e.sessionId,
        e.requestId,
        e.method,
        e.outcome,
        e.reason,
        e.durationMs,
        e.bytesIn,
        e.bytesOut,
        e.event,
        e.code,
        e.detail,
        hash,
      );
      continue;
    }
    calls.push(
      seq,
      e.time,
      e.sessionId,
      e.requestId,
      e.method,
      e.outcome,
      e.reason,
      e.durationMs,
      e.bytesIn,
      e.bytesOut,
      hash,
    );
    if (++pending === CHUNK) {
      s.insertCalls.run(...calls);
      calls = [];
      pending = 0;
    }
  }
  writePending();
  return head;
}

export function appendEntries(db: Database.Database, entries: readonly AuditEntry[]): ChainHead {
  return db.transaction(() => appendInTransaction(db, entries)).immediate();
}
