// The hub's token store: a JSON Lines file of SHA-256 hashes (the token itself is never stored).
// Several tokens may be active per tenant and environment; the file is re-read when it changes,
// so tokens can be rotated or revoked without a restart.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  statSync,
  unwatchFile,
  watchFile,
} from 'node:fs';
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

/**
 * The tokens the hub accepts, re-read when the file changes. A read is trusted only when it is
 * whole: a file that cannot be read (permissions, replaced by a directory), is missing, empty, or
 * has a line that does not parse (an editor or a deploy half-way through writing it) changes
 * nothing except what its good lines say explicitly, and is warned about once. Removing a line
 * refuses that token's next hello; only an entry marked `revoked` or past its `expiresAt`
 * closes a session that is connected with it.
 */
export class TokenStore {
  private entries = new Map<string, { entry: TokenEntry; hash: Buffer }>();
  private reloadListeners: Array<(activeHashes: Set<string>) => void> = [];
  private revokedListeners: Array<(revokedHashes: Set<string>) => void> = [];
  private loadedStamp = '';
  private lastProblem: string | null = null;

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

  /** Called after each reload with the hashes active now. */
  onReload(listener: (activeHashes: Set<string>) => void): void {
    this.reloadListeners.push(listener);
  }

  /** Called after each reload and each expiry check with the hashes explicitly revoked or expired. */
  onRevoked(listener: (revokedHashes: Set<string>) => void): void {
    this.revokedListeners.push(listener);
  }

  /** Re-reads the file. Never throws: a file watcher calls it. */
  reload(): void {
    this.loadedStamp = this.stamp();
    const read = this.read();
    if (read.kind === 'whole') {
      this.entries = new Map(read.entries.map((entry) => [entry.sha256, withHash(entry)]));
      this.lastProblem = null;
    } else {
      // Keep what was loaded before; apply only what the readable lines say (a revocation counts).
      for (const entry of read.entries) this.entries.set(entry.sha256, withHash(entry));
      this.problem(read.problem);
    }
    const active = this.activeHashes();
    for (const listener of this.reloadListeners) listener(active);
    this.notify();
  }

  /**
   * Tells the revocation listeners which hashes are revoked or expired now. Run after every
   * reload and periodically, so a token that expires while its connector is connected is closed
   * without any file change.
   */
  notify(): void {
    const now = Date.now();
    const revoked = new Set<string>();
    for (const { entry } of this.entries.values()) {
      if (entry.revoked || expired(entry, now)) revoked.add(entry.sha256);
    }
    for (const listener of this.revokedListeners) listener(revoked);
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
    for (const { entry, hash } of this.entries.values()) {
      // Expiry is checked at the moment of use, not only when the file was last read.
      if (timingSafeEqual(candidate, hash) && isActive(entry, now) && match === null) match = entry;
    }
    return match ? { tenant: match.tenant, environment: match.environment, sha256: match.sha256 } : null;
  }

  /** Every (tenant, environment) with at least one active token: the pairs the hub's alerts watch. */
  activePairs(): Array<{ tenant: string; environment: Environment }> {
    const pairs = new Map<string, { tenant: string; environment: Environment }>();
    const now = Date.now();
    for (const { entry } of this.entries.values()) {
      if (!isActive(entry, now)) continue;
      pairs.set(`${entry.tenant}\u0000${entry.environment}`, { tenant: entry.tenant, environment: entry.environment });
    }
    return [...pairs.values()];
  }

  isActive(sha256: string): boolean {
    const found = this.entries.get(sha256);
    return found !== undefined && isActive(found.entry, Date.now());
  }

  private activeHashes(): Set<string> {
    const now = Date.now();
    return new Set([...this.entries.values()].filter((e) => isActive(e.entry, now)).map((e) => e.entry.sha256));
  }

  private read():
    | { kind: 'whole'; entries: TokenEntry[] }
    | { kind: 'partial'; entries: TokenEntry[]; problem: string } {
    const kept = () => 'keeping the tokens loaded before';
    if (!existsSync(this.file)) {
      return this.entries.size === 0
        ? { kind: 'partial', entries: [], problem: 'tokens file does not exist yet; no connector can authenticate' }
        : { kind: 'partial', entries: [], problem: `tokens file is missing; ${kept()}` };
    }
    let text: string;
    try {
      text = readRegularFile(this.file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      return { kind: 'partial', entries: [], problem: `tokens file could not be read (${code}); ${kept()}` };
    }
    const { entries, badLines } = parseTokensFile(text);
    if (badLines.length > 0) {
      const lines = badLines.slice(0, 10).join(', ') + (badLines.length > 10 ? ', …' : '');
      return { kind: 'partial', entries, problem: `tokens file has unreadable lines (${lines}); ${kept()} besides` };
    }
    if (entries.length === 0 && this.entries.size > 0) {
      return {
        kind: 'partial',
        entries,
        problem: `tokens file is empty; ${kept()} (mark an entry "revoked": true to revoke it)`,
      };
    }
    return { kind: 'whole', entries };
  }

  /** Warns once per distinct problem, until a whole read clears it. */
  private problem(message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.onProblem(message);
  }

  private stamp(): string {
    try {
      const st = statSync(this.file);
      return `${st.mtimeMs}:${st.size}:${st.ino}:${st.isFile()}`;
    } catch {
      return 'missing';
    }
  }
}

/**
 * Reads the file only when it is a regular file. Opened without blocking, so that a named pipe
 * put in its place (nobody writing to it) cannot stop the hub's only thread on `open`.
 */
function readRegularFile(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

function withHash(entry: TokenEntry): { entry: TokenEntry; hash: Buffer } {
  return { entry, hash: Buffer.from(entry.sha256, 'hex') };
}

function isActive(entry: TokenEntry, now: number): boolean {
  return !entry.revoked && !expired(entry, now);
}

function expired(entry: TokenEntry, now: number): boolean {
  return entry.expiresAt !== undefined && Date.parse(entry.expiresAt) <= now;
}
