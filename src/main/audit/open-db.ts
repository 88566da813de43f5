// Opens the audit database. The writer's connection gets WAL, a short busy timeout and the one
// function that can permit a DELETE (retention pruning); readers open read-only and get neither.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { assertAuditLog, migrate, PRUNE_PERMIT_FUNCTION } from './schema.js';

export interface AuditDb {
  db: Database.Database;
  /** Runs `fn` with DELETE allowed for rows with seq <= upToSeq, and only for its duration. */
  withPrunePermit<T>(upToSeq: number, fn: () => T): T;
  close(): void;
}

export function openAuditDbForWriting(file: string, busyTimeoutMs = 1_000): AuditDb {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { timeout: busyTimeoutMs });
  try {
    let permitUpTo: number | null = null;
    db.function(PRUNE_PERMIT_FUNCTION, { deterministic: false }, (seq: unknown) =>
      permitUpTo !== null && typeof seq === 'number' && seq <= permitUpTo ? 1 : 0,
    );
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL is durable against application crashes and costs no fsync per commit.
    db.pragma('synchronous = NORMAL');
    migrate(db);
    return {
      db,
      withPrunePermit<T>(upToSeq: number, fn: () => T): T {
        permitUpTo = upToSeq;
        try {
          return fn();
        } finally {
          permitUpTo = null;
        }
      },
      close: () => db.close(),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

export function openAuditDbForReading(file: string): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    assertAuditLog(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
