// The audit database's tables and triggers. audit_log is append-only: UPDATE is always refused,
// and so is an INSERT (OR REPLACE) that would take an existing row's place; DELETE is refused
// unless the row is covered by a prune permit, a function the connector's own connection
// registers (see open-db.ts). A plain SQLite tool therefore gets an error, but these triggers are
// a guard against mistakes, not a lock: anyone who can write the file can register a function of
// that name or drop the triggers. The hash chain (verify.ts) is what detects such changes.
// Anchors (the hash of the last pruned row) are insert-only.
import type Database from 'better-sqlite3';

/** 'CCAU' — marks the file as a Cloud Connector audit log. */
export const AUDIT_APPLICATION_ID = 0x43434155;
/** 2: refuses INSERT OR REPLACE over an existing row (REPLACE deletes without firing DELETE triggers). */
export const AUDIT_SCHEMA_VERSION = 2;
export const PRUNE_PERMIT_FUNCTION = 'cc_audit_prune_permitted';

const DDL = `
CREATE TABLE IF NOT EXISTS audit_log (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('call', 'connection', 'config', 'prune', 'gap')),
  session_id TEXT,
  request_id TEXT,
  method TEXT,
  outcome TEXT,
  reason TEXT,
  duration_ms REAL,
  bytes_in INTEGER,
  bytes_out INTEGER,
  event TEXT,
  code INTEGER,
  detail TEXT,
  hash TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS audit_log_time ON audit_log (time);

CREATE TABLE IF NOT EXISTS audit_anchor (
  seq INTEGER PRIMARY KEY,
  hash TEXT NOT NULL,
  pruned_at TEXT NOT NULL
) STRICT;

-- Fingerprints of configuration sections, to notice changes across restarts. State, not record.
CREATE TABLE IF NOT EXISTS audit_config_state (
  name TEXT PRIMARY KEY,
  digest TEXT NOT NULL
) STRICT;

CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT ${PRUNE_PERMIT_FUNCTION}(OLD.seq)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- REPLACE removes the old row without firing the DELETE trigger, so a new row may never take
-- an existing row's seq.
CREATE TRIGGER IF NOT EXISTS audit_log_no_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TRIGGER IF NOT EXISTS audit_anchor_no_replace BEFORE INSERT ON audit_anchor
WHEN EXISTS (SELECT 1 FROM audit_anchor WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'audit anchors are append-only'); END;

CREATE TRIGGER IF NOT EXISTS audit_anchor_no_update BEFORE UPDATE ON audit_anchor
BEGIN SELECT RAISE(ABORT, 'audit anchors are append-only'); END;

CREATE TRIGGER IF NOT EXISTS audit_anchor_no_delete BEFORE DELETE ON audit_anchor
BEGIN SELECT RAISE(ABORT, 'audit anchors are append-only'); END;
`;

export function migrate(db: Database.Database): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  const hasTables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
  if (hasTables.n > 0 && appId !== AUDIT_APPLICATION_ID) throw new NotAnAuditLogError();
  if (version > AUDIT_SCHEMA_VERSION) throw new NotAnAuditLogError('newer');
  if (version === AUDIT_SCHEMA_VERSION) return;
  // Every statement is IF NOT EXISTS, so the same DDL creates a new file and upgrades an older
  // one (version 1 gains the triggers that refuse REPLACE).
  db.transaction(() => {
    db.exec(DDL);
    db.pragma(`application_id = ${AUDIT_APPLICATION_ID}`);
    db.pragma(`user_version = ${AUDIT_SCHEMA_VERSION}`);
  }).immediate();
}

/** Read-only check for tools that must not create or change anything. */
export function assertAuditLog(db: Database.Database): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  if (appId !== AUDIT_APPLICATION_ID) throw new NotAnAuditLogError();
}

export class NotAnAuditLogError extends Error {
  readonly code = 'CC_NOT_AN_AUDIT_LOG';
  constructor(why: 'other' | 'newer' = 'other') {
    super(
      why === 'newer'
        ? 'The audit log was written by a newer version of Cloud Connector.'
        : 'The file is not a Cloud Connector audit log.',
    );
    this.name = 'NotAnAuditLogError';
  }
}
