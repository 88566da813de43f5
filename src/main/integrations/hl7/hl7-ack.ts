// Reading acknowledgements: MSA-1/MSA-2 (and the receiver's reason for a refusal, made safe to show).
import { decodeMessage, type Hl7Charset } from './hl7-charset.js';
import { unreadable } from './hl7-errors.js';
import { Hl7Message } from './hl7-message.js';

/**
 * A frame matcher's first step: decode and parse the frame, and keep it only when MSA-2 is our
 * control ID. Any other frame (a late answer to an earlier message, an unsolicited message) is skipped.
 */
export function answerTo(frame: Buffer, controlId: string, fallback: Hl7Charset): Hl7Message | undefined {
  let message: Hl7Message;
  try {
    message = Hl7Message.parse(decodeMessage(frame, fallback));
  } catch {
    throw unreadable();
  }
  const msa = message.segment('MSA');
  if (!msa || msa.get(2) !== controlId) return undefined;
  return message;
}

/** MSA-1 upper-cased: AA/CA accept, AE/CE error, AR/CR reject. */
export function ackCode(message: Hl7Message): string {
  return (message.segment('MSA')?.get(1) ?? '').trim().toUpperCase();
}

export function isAccepted(code: string): boolean {
  return code === 'AA' || code === 'CA';
}

/**
 * The receiver's reason for a refusal, for the operator: the error code (ERR-3, or v2.3's ERR-1 /
 * MSA-6) and its text (ERR-3 text, ERR-8 or MSA-3). Receivers sometimes echo what they were sent,
 * so every value from our own message is cut out, as is any run of digits an identifier or date
 * could hide in, and the length is bounded.
 */
export function receiverReason(message: Hl7Message, sensitive: string[]): string {
  const err = message.segment('ERR');
  const msa = message.segment('MSA');
  const code = err?.get(3, 1) || err?.get(1, 4, 1) || msa?.get(6, 1) || '';
  const text = err?.get(3, 2) || err?.get(8) || msa?.get(3) || err?.get(1, 4, 2) || '';
  const safeCode = /^[A-Za-z0-9_.-]{1,20}$/.test(code) ? code : '';
  const safeText = redact(text, sensitive);
  return [safeCode, safeText].filter(Boolean).join(' ');
}

export function redact(text: string, sensitive: string[]): string {
  let out = text;
  const values = sensitive
    .map((s) => s.trim())
    .filter((s) => s.length >= 2)
    .sort((a, b) => b.length - a.length);
  for (const value of values) out = out.replace(new RegExp(escapeRegExp(value), 'gi'), '…');
  out = out
    .replace(/[^\p{L}\p{N} .,;:()'/_\u2026-]/gu, ' ')
    .replace(/\d(?:[\s./-]?\d){3,}/g, '…')
    .replace(/\s+/g, ' ')
    .trim();
  return out.length > 100 ? `${out.slice(0, 99)}…` : out;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
