// A UUID stable per installation and environment, kept in the data directory.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
