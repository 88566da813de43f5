// MSH building and the bits every outbound message shares: control IDs, timestamps, encoding.
import { randomBytes } from 'node:crypto';
import { encodeText, msh18For } from './hl7-charset.js';
import { buildSegment, type FieldValue } from './hl7-message.js';
import type { Hl7Header } from './hl7-settings.js';

/** MSH-10: unique per message, 18 characters (the v2.5 limit is 20), never derived from content. */
export function newControlId(): string {
  return `CC${randomBytes(8).toString('hex').toUpperCase()}`;
}

/** DTM in UTC with an explicit offset: YYYYMMDDHHMMSS+0000. */
export function hl7Timestamp(date: Date): string {
  const iso = date.toISOString(); // 2024-05-01T12:34:56.789Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}+0000`;
}

export function mshSegment(h: Hl7Header, messageType: FieldValue, controlId: string, now: Date): string {
  return buildSegment('MSH', [
    h.sendingApplication,
    h.sendingFacility,
    h.receivingApplication,
    h.receivingFacility,
    hl7Timestamp(now),
    '',
    messageType,
    controlId,
    h.processingId,
    h.version,
    '',
    '',
    '',
    '',
    '',
    msh18For(h.charset),
  ]);
}

/** Segments joined and terminated by CR, encoded in the configured charset. */
export function encodeSegments(segments: string[], h: Hl7Header): Buffer {
  return encodeText(`${segments.join('\r')}\r`, h.charset);
}
