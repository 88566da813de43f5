// Builds a SourcePatient from a row (sql) or a JSON record (http) through a field → column/path
// map. Only coercion happens here (numbers to text, DATE values to YYYY-MM-DD, Y/N flags);
// validation, gender codes and Title Case are the common pipeline's job.
import type { SourcePatient } from '../types.js';

export const PATIENT_FIELDS = [
  'title',
  'firstName',
  'middleNames',
  'familyName',
  'dateOfBirth',
  'gender',
  'localIdentifier',
  'nationalIdentifier',
  'email',
  'mobile',
  'isTestPatient',
] as const;
export type PatientField = (typeof PATIENT_FIELDS)[number];

/** `read(field)` returns the raw value, or undefined when the field is not mapped. */
export function mapRecord(read: (field: PatientField) => unknown): SourcePatient {
  const text = (field: PatientField) => toText(read(field));
  const record: Record<string, unknown> = {
    title: text('title'),
    firstName: text('firstName'),
    middleNames: text('middleNames'),
    familyName: text('familyName'),
    dateOfBirth: toIsoDate(read('dateOfBirth')),
    gender: toText(read('gender')) ?? '',
    localIdentifier: text('localIdentifier'),
    nationalIdentifier: text('nationalIdentifier'),
    email: text('email'),
    mobile: text('mobile'),
  };
  const flag = toFlag(read('isTestPatient'));
  if (flag !== undefined) record.isTestPatient = flag;
  // Wrong types stay as they are so that the pipeline's schema check names the field.
  return record as SourcePatient;
}

/** Trimmed text; empty → null; numbers as digits; anything else unchanged (fails the schema). */
export function toText(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * A date of birth exactly as stored. Text keeps its date part (`1970-01-15`, `1970-01-15 00:00:00`,
 * `1970-01-15T00:00:00Z`); a Date object (mssql with useUTC) is read in UTC, never local time,
 * so a server or PC in Europe/London does not move it to the day before.
 */
export function toIsoDate(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    const y = String(value.getUTCFullYear()).padStart(4, '0');
    const m = String(value.getUTCMonth() + 1).padStart(2, '0');
    const d = String(value.getUTCDate()).padStart(2, '0');
    return `${y}-${m}-${d}`;
  }
  if (typeof value === 'string') {
    const trimmed = value.trim();
    const match = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/.exec(trimmed);
    return match ? match[1] : trimmed;
  }
  return value;
}

const TRUE = new Set(['1', 'y', 'yes', 'true', 't']);
const FALSE = new Set(['0', 'n', 'no', 'false', 'f', '']);

/** Test-patient flags arrive as booleans, 0/1 or Y/N; null means "not flagged". */
export function toFlag(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return value;
}
