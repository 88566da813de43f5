// Reading acknowledgements: MSA-1/MSA-2 (and the receiver's error code for a refusal, never its text).
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
 * The receiver's error code for a refusal, for the operator: ERR-3.1 (v2.5), ERR-1.4.1 (v2.3) or
 * MSA-6.1, and only when it looks like a code. Free text (ERR-3.2, ERR-8, MSA-3) is never shown:
 * receivers put patients in it, sometimes another patient than the one we sent, which no
 * redaction of our own values can catch.
 */
export function receiverCode(message: Hl7Message): string {
  const err = message.segment('ERR');
  const msa = message.segment('MSA');
  const code = (err?.get(3, 1) || err?.get(1, 4, 1) || msa?.get(6, 1) || '').trim();
  return /^[A-Za-z0-9_.-]{1,20}$/.test(code) ? code : '';
}
