// A UUID stable per installation and environment, kept in the data directory, and beside it the
// installation's random key for the audit log's keyed hashes of request ids (audit/request-id.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function loadConnectorId(dataDir: string): string {
  const file = path.join(dataDir, 'connector-id');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (UUID.test(existing)) return existing;
  } catch {
    // first start: create below
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const id = randomUUID();
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}

const KEY_FILE = 'audit-id-key';
const KEY_HEX = /^[0-9a-f]{64}$/;

/**
 * The key for the audit log's hashes of free-form request ids: 32 random bytes, created once,
 * readable only by the connector's account (0600). Kept, never rotated: the same id must hash the
 * same tomorrow. Only the connector uses it; a leaked key would let someone test guesses.
 */
export function loadAuditIdKey(dataDir: string): Buffer {
  const file = path.join(dataDir, KEY_FILE);
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (KEY_HEX.test(existing)) return Buffer.from(existing, 'hex');
  } catch {
    // first start: create below
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  // 'wx': two connectors starting at once must not each write their own key; the loser reads the winner's.
  try {
    writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = readFileSync(file, 'utf8').trim();
    if (KEY_HEX.test(winner)) return Buffer.from(winner, 'hex');
    // A file that is not a key (truncated, edited): replace it, keeping it private.
    writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600 });
  }
  chmodSync(file, 0o600);
  return key;
}
