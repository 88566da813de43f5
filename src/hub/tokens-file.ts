// The hub's token store: a JSON Lines file of SHA-256 hashes (the token itself is never stored).
// Several tokens may be active per tenant and environment; the file is re-read when it changes,
// so tokens can be rotated or revoked without a restart.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, statSync, unwatchFile, watchFile } from 'node:fs';
import { z } from 'zod';
import { type Environment, environmentSchema } from '../shared/protocol/index.js';

export const tokenEntrySchema = z.object({
  tenant: z.string().min(1).max(128),
  environment: environmentSchema,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string().optional(),
  revoked: z.boolean().optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  label: z.string().optional(),
});
export type TokenEntry = z.infer<typeof tokenEntrySchema>;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(environment: Environment): string {
  return `cc_${environment}_${randomBytes(32).toString('base64url')}`;
}

/** Mints a token, appends its hash to the tokens file, and returns the token (shown once). */
export function createToken(options: {
  tokensFile: string;
  tenant: string;
  environment: Environment;
  label?: string;
}): string {
  const token = generateToken(options.environment);
  const entry: TokenEntry = {
    tenant: options.tenant,
    environment: options.environment,
    sha256: hashToken(token),
    createdAt: new Date().toISOString(),
    ...(options.label ? { label: options.label } : {}),
  };
  appendFileSync(options.tokensFile, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  return token;
}

export function parseTokensFile(text: string): { entries: TokenEntry[]; badLines: number[] } {
  const entries: TokenEntry[] = [];
  const badLines: number[] = [];
  text.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    try {
      const parsed = tokenEntrySchema.safeParse(JSON.parse(trimmed));
      if (parsed.success) entries.push(parsed.data);
      else badLines.push(i + 1);
    } catch {
      badLines.push(i + 1);
    }
  });
  return { entries, badLines };
}

export interface TokenMatch {
  tenant: string;
  environment: Environment;
  sha256: string;
}

export class TokenStore {
  private active: Array<{ entry: TokenEntry; hash: Buffer }> = [];
  private listeners: Array<(activeHashes: Set<string>) => void> = [];
  private loadedStamp = '';

  constructor(
    private readonly file: string,
    private readonly onProblem: (message: string) => void = () => {},
  ) {
    this.reload();
  }

  /** Watches the file (polling, which also works on network shares) and reloads on change. */
  watch(intervalMs = 500): void {
    watchFile(this.file, { interval: intervalMs, persistent: false }, () => this.reload());
  }

  unwatch(): void {
    unwatchFile(this.file);
  }

  /** Called after each reload with the hashes still active, so live sessions can be checked. */
  onReload(listener: (activeHashes: Set<string>) => void): void {
    this.listeners.push(listener);
  }

  reload(): void {
    this.loadedStamp = this.stamp();
    if (!existsSync(this.file)) {
      this.active = [];
      this.onProblem('tokens file does not exist yet; no connector can authenticate');
    } else {
      const { entries, badLines } = parseTokensFile(readFileSync(this.file, 'utf8'));
      if (badLines.length) this.onProblem(`tokens file has unreadable lines: ${badLines.join(', ')}`);
      this.active = entries
        .filter((e) => !e.revoked)
        .map((entry) => ({ entry, hash: Buffer.from(entry.sha256, 'hex') }));
    }
    this.notify();
  }

  /**
   * Tells the listeners which hashes are live now. Run after every reload and periodically, so a
   * token that expires while its connector is connected is closed without any file change.
   */
  notify(): void {
    const now = Date.now();
    const hashes = new Set(this.active.filter((a) => !expired(a.entry, now)).map((a) => a.entry.sha256));
    for (const listener of this.listeners) listener(hashes);
  }

  /**
   * Finds the active entry for this token. Every entry is compared, in constant time, so the time
   * taken does not reveal which (or whether a) hash matched.
   */
  verify(token: string): TokenMatch | null {
    // A token minted a moment ago must work at once, before the file watcher notices the change.
    if (this.stamp() !== this.loadedStamp) this.reload();
    const candidate = createHash('sha256').update(token, 'utf8').digest();
    const now = Date.now();
    let match: TokenEntry | null = null;
    for (const { entry, hash } of this.active) {
      // Expiry is checked at the moment of use, not only when the file was last read.
      if (timingSafeEqual(candidate, hash) && !expired(entry, now) && match === null) match = entry;
    }
    return match ? { tenant: match.tenant, environment: match.environment, sha256: match.sha256 } : null;
  }

  private stamp(): string {
    try {
      const st = statSync(this.file);
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      return 'missing';
    }
  }

  /** Every (tenant, environment) with at least one active token: the pairs the hub's alerts watch. */
  activePairs(): Array<{ tenant: string; environment: Environment }> {
    const pairs = new Map<string, { tenant: string; environment: Environment }>();
    const now = Date.now();
    for (const { entry } of this.active) {
      if (expired(entry, now)) continue;
      pairs.set(`${entry.tenant}\u0000${entry.environment}`, { tenant: entry.tenant, environment: entry.environment });
    }
    return [...pairs.values()];
  }

  isActive(sha256: string): boolean {
    const now = Date.now();
    return this.active.some((a) => a.entry.sha256 === sha256 && !expired(a.entry, now));
  }
}

function expired(entry: TokenEntry, now: number): boolean {
  return entry.expiresAt !== undefined && Date.parse(entry.expiresAt) <= now;
}
