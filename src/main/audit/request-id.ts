// Request ids as the audit log keeps them (PROTOCOL §3): an integer or a UUID as it is, anything
// else only as a keyed hash. Platforms written by others may build ids from what they are about
// (`lookup-9434765919`, `smith.jo.1980-01-02`): such an id is personal data, and a plain hash of a
// phone or NHS number is reversed by trying them all, so the hash is keyed with a random key that
// never leaves this installation (kept beside the connector id). Equal ids still hash equal, so
// support can follow one id through the log without the log holding it.
import { createHmac } from 'node:crypto';
import { isValidNhsNumber } from '../../shared/protocol/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `h:` and 96 bits of HMAC-SHA-256: recognisable as a hash, unique enough for one log. */
export const HASHED_ID = /^h:[0-9a-f]{24}$/;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** A platform that numbers requests could hit a valid NHS number by chance, or on purpose. */
export function looksLikeNhsNumber(text: string): boolean {
  return text.length === 10 && /^[0-9]{10}$/.test(text) && isValidNhsNumber(text);
}

export function hashedId(value: string, key: Buffer): string {
  return `h:${createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, 24)}`;
}

/**
 * What the audit log may hold for an id from the platform: the integer or UUID itself, else its
 * keyed hash. Strings of digits are hashed too: `07700900123` is a telephone number, not a number.
 */
export function auditId(id: unknown, key: Buffer): string | number | null {
  if (id === null || id === undefined) return null;
  if (typeof id === 'number') {
    if (!Number.isSafeInteger(id)) return '(invalid)';
    return looksLikeNhsNumber(String(id)) ? hashedId(`n:${id}`, key) : id;
  }
  if (typeof id !== 'string') return '(invalid)';
  return isUuid(id) ? id : hashedId(`s:${id}`, key);
}
