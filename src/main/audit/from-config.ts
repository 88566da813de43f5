// Where a connector's audit log lives and how long it keeps rows, from its loaded config.
import path from 'node:path';
import type { LoadedConfig } from '../config/load-config.js';
import type { Logger } from '../core/logger.js';
import { AuditWriter } from './audit-writer.js';

export const AUDIT_FILE_NAME = 'audit.sqlite';

/** `audit.path` (relative to the config file), else `<dataDir>/audit.sqlite`: one per environment. */
export function auditPathFor(loaded: LoadedConfig): string {
  const configured = loaded.config.audit?.path;
  return configured ? path.resolve(loaded.dir, configured) : path.join(loaded.dataDir, AUDIT_FILE_NAME);
}

export function createAuditWriterFor(loaded: LoadedConfig, logger: Logger): AuditWriter {
  return new AuditWriter({ path: auditPathFor(loaded), retentionDays: loaded.config.audit?.retentionDays, logger });
}
