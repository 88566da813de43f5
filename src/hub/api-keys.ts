// API keys for the hub's HTTP API: one per line in a file, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

export function readApiKeys(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

export class ApiKeys {
  private readonly hashes: Buffer[];
  constructor(keys: string[]) {
    if (keys.length === 0) throw new Error('At least one API key is required.');
    this.hashes = keys.map(digest);
  }

  /** Checks an `Authorization: Bearer …` header. */
  check(header: string | undefined): boolean {
    const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
    if (!match?.[1]) return false;
    const candidate = digest(match[1].trim());
    let ok = false;
    for (const h of this.hashes) ok = timingSafeEqual(candidate, h) || ok;
    return ok;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
