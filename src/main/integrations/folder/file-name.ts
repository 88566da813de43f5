// File names from a configured pattern of safe fields. Every field value is reduced to
// letters, digits and `. _ - ( )` and space, so no value can add a folder, climb out with `..`,
// name a device (CON, NUL…), or end in a dot or space that Windows would silently drop.
import type { ConsentStoreParams } from '../../../shared/protocol/index.js';

export const DEFAULT_FILE_NAME_PATTERN = 'consent-{documentId}';
const MAX_FIELD_LENGTH = 80;
const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

export function fieldValues(params: ConsentStoreParams): Record<string, string> {
  return {
    documentId: params.documentId,
    episodeId: params.episodeId,
    localIdentifier: params.patient.localIdentifier,
    nationalIdentifier: params.patient.nationalIdentifier ?? '',
    familyName: params.patient.familyName,
    firstName: params.patient.firstName,
    dateOfBirth: params.patient.dateOfBirth,
    consentedDate: params.document.consentedAt.slice(0, 10),
    procedure: params.document.procedure,
    side: params.document.side ?? '',
    title: params.document.title,
    fileName: params.fileName.replace(/\.pdf$/i, ''),
  };
}

export function safeSegment(value: string): string {
  let out = value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents off: "Zoë" → "Zoe"
    .replace(/[^A-Za-z0-9 ._()-]+/g, '_')
    .replace(/\.{2,}/g, '_')
    .replace(/^[\s.]+|[\s.]+$/g, '')
    .slice(0, MAX_FIELD_LENGTH)
    .replace(/[\s.]+$/g, '');
  if (out === '') out = '_';
  if (WINDOWS_DEVICES.test(out)) out = `_${out}`;
  return out;
}

/** The relative path (forward slashes, no extension) for this document. */
export function relativeName(pattern: string, params: ConsentStoreParams): string {
  const values = fieldValues(params);
  const filled = pattern.replace(/\{([A-Za-z]+)\}/g, (_, field: string) => safeSegment(values[field] ?? ''));
  // The pattern's own `/` separate folders; each resulting segment is made safe again as a whole.
  return filled
    .split('/')
    .map((segment) => safeSegment(segment))
    .join('/');
}
