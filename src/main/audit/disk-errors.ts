// Turns a failure to open or write the audit database into plain words for the status view.
import path from 'node:path';

export type AuditProblem = 'full' | 'read_only' | 'io' | 'damaged' | 'busy' | 'other';

export function classifyAuditError(error: unknown): { problem: AuditProblem; code: string } {
  const code = String((error as { code?: unknown } | null)?.code ?? (error as Error | null)?.name ?? 'unknown');
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return { problem: 'full', code };
  if (
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_CANTOPEN') ||
    code === 'SQLITE_PERM' ||
    code === 'SQLITE_AUTH' ||
    code === 'EACCES' ||
    code === 'EPERM' ||
    code === 'EROFS'
  ) {
    return { problem: 'read_only', code };
  }
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED')
    return { problem: 'busy', code };
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return { problem: 'io', code };
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || code === 'CC_NOT_AN_AUDIT_LOG') {
    return { problem: 'damaged', code };
  }
  return { problem: 'other', code };
}

export interface AuditWarningText {
  message: string;
  fix: string;
}

export function describeAuditProblem(problem: AuditProblem, file: string): AuditWarningText {
  const dir = path.dirname(file);
  switch (problem) {
    case 'full':
      return {
        message: 'The audit log could not be written: the disk is full.',
        fix: `Free space on the disk that holds ${dir}.`,
      };
    case 'read_only':
      return {
        message: 'The audit log could not be written: its file or folder is read-only.',
        fix: `Make ${dir} writable for Cloud Connector.`,
      };
    case 'io':
      return {
        message: 'The audit log could not be written: the disk reported an error.',
        fix: `Check the disk that holds ${dir}.`,
      };
    case 'damaged':
      return {
        message: 'The audit log file is damaged or is not an audit log.',
        fix: `Move ${file} aside; Cloud Connector then starts a new one.`,
      };
    case 'busy':
      return { message: 'The audit log is locked by another program.', fix: 'Close any tool that has it open.' };
    default:
      return { message: 'The audit log could not be written.', fix: `Check that ${dir} exists and is writable.` };
  }
}
