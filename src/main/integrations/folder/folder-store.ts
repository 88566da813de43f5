// `consentStore: {"type":"folder"}`: a local folder or a UNC share. The PDF and its JSON sidecar
// are written to hidden temporary files, fsynced, and linked into place under a name that is
// free (a hard link never replaces an existing file), so a reader never sees a half-written
// document and one document never overwrites another. An index entry per documentId, checked
// against the PDF's hash, makes a repeated call answer `duplicate: true` with the first location.
import { createHash, randomUUID } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { folderStoreConfigSchema } from '../../../shared/config/sources.js';
import { type ConsentStoreResult, RpcError } from '../../../shared/protocol/index.js';
import type { Logger } from '../../core/logger.js';
import { PerDocumentQueue } from '../common/per-document-queue.js';
import { throwIfAborted, toSourceError } from '../common/source-error.js';
import { documentMetadata } from '../consent-pipeline.js';
import type { CallOptions, ConsentDocument, ConsentStore } from '../types.js';
import { DEFAULT_FILE_NAME_PATTERN, relativeName } from './file-name.js';

type FolderStoreConfig = z.infer<typeof folderStoreConfigSchema>;

/** Hidden, not `.pdf`: nothing that watches the folder for documents picks these up. */
const PARTIAL_PREFIX = '.cc-partial-';
const INDEX_DIR = path.join('.cloud-connector', 'index');
const STALE_PARTIAL_MS = 3_600_000;

/** Said when a folder on the way to the document is a link out of the store's folder. */
export const LINK_OUTSIDE_MESSAGE =
  "A folder inside the consent documents folder is a link (symlink or junction) to somewhere outside it, so nothing was written. Remove the link, or set the store's path to the real folder.";

export interface FolderStoreHooks {
  /** Called after the files are written and synced, before anything becomes visible (tests crash here). */
  beforeCommit?: () => Promise<void>;
}

interface IndexEntry {
  pdf: string;
  sidecar: string | null;
  /** The PDF's SHA-256: an entry only counts while the file it names still holds this document. */
  sha256?: string;
}

export class FolderStore implements ConsentStore {
  readonly type = 'folder';
  readonly root: string;
  private readonly pattern: string;
  /** One store at a time per documentId in this process; the index decides across processes. */
  private readonly perDocument = new PerDocumentQueue();
  /** Choosing a free name and taking it is one step for all documents in this process. */
  private commits: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: FolderStoreConfig,
    configDir: string,
    private readonly logger?: Logger,
    private readonly hooks: FolderStoreHooks = {},
  ) {
    this.root = path.resolve(configDir, config.path);
    this.pattern = config.fileNamePattern ?? DEFAULT_FILE_NAME_PATTERN;
  }

  store(document: ConsentDocument, options: CallOptions): Promise<ConsentStoreResult> {
    return this.perDocument.run(document.params.documentId, () => this.storeOnce(document, options));
  }

  /** Reachable when the folder exists (or can be made, as a store would) and is writable. */
  async ping(): Promise<boolean> {
    try {
      await fs.mkdir(this.root, { recursive: true });
      await fs.access(this.root, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {}

  private async storeOnce(document: ConsentDocument, { signal }: CallOptions): Promise<ConsentStoreResult> {
    const { params, bytes } = document;
    const partials: string[] = [];
    try {
      throwIfAborted(signal);
      const existing = await this.readIndex(params.documentId);
      if (existing) return { stored: true, location: this.absolute(existing.pdf), duplicate: true };

      const relative = relativeName(this.pattern, params);
      const dir = path.dirname(this.absolute(`${relative}.pdf`));
      this.assertInside(dir);
      await this.mkdirInside(dir);
      await removeStalePartials(dir);

      const pdfTemp = await writeSynced(dir, bytes, partials);
      const sidecarEnabled = this.config.sidecar !== false;
      const sidecarTemp = sidecarEnabled
        ? await writeSynced(dir, Buffer.from(`${JSON.stringify(sidecarFor(document), null, 2)}\n`), partials)
        : null;
      await this.hooks.beforeCommit?.();
      // Last point at which the call can still be abandoned cleanly.
      throwIfAborted(signal);
      const entry = await this.serialised(() =>
        this.commit(params.documentId, dir, path.basename(relative), pdfTemp, sidecarTemp, params.sha256),
      );
      partials.length = 0;
      await syncDir(dir);
      return { stored: true, location: this.absolute(entry.pdf), duplicate: false };
    } catch (error) {
      await Promise.all(partials.map((p) => fs.rm(p, { force: true })));
      throw toSourceError(error, signal, this.logger, 'consentStore folder');
    }
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.commits.catch(() => null).then(work);
    this.commits = run;
    return run;
  }

  /**
   * Index first (a crash after it leaves an entry whose file is missing or holds another
   * document, which readIndex rejects by hash, so the retry stores again), then the files under
   * the first free name. A link fails with EEXIST instead of replacing, also against another
   * process writing the same share; then the next name is tried.
   */
  private async commit(
    documentId: string,
    dir: string,
    baseName: string,
    pdfTemp: string,
    sidecarTemp: string | null,
    sha256: string,
  ): Promise<IndexEntry> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const base = await freeBaseName(dir, baseName, sidecarTemp !== null);
      const entry: IndexEntry = {
        pdf: this.relative(path.join(dir, `${base}.pdf`)),
        sidecar: sidecarTemp ? this.relative(path.join(dir, `${base}.json`)) : null,
        sha256: sha256.toLowerCase(),
      };
      await this.writeIndex(documentId, entry);
      if (!(await placeWithoutReplacing(pdfTemp, this.absolute(entry.pdf)))) continue;
      if (sidecarTemp && entry.sidecar && !(await placeWithoutReplacing(sidecarTemp, this.absolute(entry.sidecar)))) {
        // Another writer took the sidecar's name in between: keep the PDF, write the sidecar beside it.
        const alternative = entry.sidecar.replace(/\.json$/, `.${documentId.slice(0, 8)}.json`);
        await placeWithoutReplacing(sidecarTemp, this.absolute(alternative));
        entry.sidecar = alternative;
        await this.writeIndex(documentId, entry);
      }
      return entry;
    }
    throw new Error('ENAMESTAKEN');
  }

  private absolute(relative: string): string {
    return path.join(this.root, ...relative.split('/'));
  }

  private relative(absolute: string): string {
    return path.relative(this.root, absolute).split(path.sep).join('/');
  }

  /** Defence in depth: names are already safe, but nothing is ever written outside the root. */
  private assertInside(target: string): void {
    const rel = path.relative(this.root, target);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error('EOUTSIDEROOT');
  }

  /**
   * Creates `dir` one folder at a time from the root, checking where each one really is: a
   * symlink or junction inside the root that leads out of it (planted, or left by someone
   * tidying the share) is refused before anything is created or written through it. The root
   * itself may be a link (a mapped share); what counts is staying inside where it leads.
   */
  private async mkdirInside(dir: string): Promise<void> {
    await fs.mkdir(this.root, { recursive: true });
    const realRoot = await fs.realpath(this.root);
    let current = this.root;
    for (const part of path.relative(this.root, dir).split(path.sep).filter(Boolean)) {
      current = path.join(current, part);
      await fs.mkdir(current).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      const rel = path.relative(realRoot, await fs.realpath(current));
      if (rel.startsWith('..') || path.isAbsolute(rel)) {
        this.logger?.warn('consentStore folder: a link inside the folder leads outside it; nothing written');
        throw new RpcError('source_unavailable', LINK_OUTSIDE_MESSAGE);
      }
    }
  }

  private indexFile(documentId: string): string {
    // documentId is a UUID (checked by the params schema), so it is a safe file name.
    return path.join(this.root, INDEX_DIR, `${documentId.toLowerCase()}.json`);
  }

  private async readIndex(documentId: string): Promise<IndexEntry | null> {
    let entry: IndexEntry;
    try {
      entry = JSON.parse(await fs.readFile(this.indexFile(documentId), 'utf8')) as IndexEntry;
    } catch {
      return null;
    }
    try {
      const pdf = await fs.readFile(this.absolute(entry.pdf));
      // An entry left by a crash may name a file that another document has since taken.
      if (entry.sha256 && createHash('sha256').update(pdf).digest('hex') !== entry.sha256) return null;
      return entry;
    } catch {
      return null;
    }
  }

  private async writeIndex(documentId: string, entry: IndexEntry): Promise<void> {
    const file = this.indexFile(documentId);
    await this.mkdirInside(path.dirname(file));
    const partials: string[] = [];
    const temp = await writeSynced(path.dirname(file), Buffer.from(JSON.stringify(entry)), partials);
    await fs.rename(temp, file);
    await syncDir(path.dirname(file));
  }
}

function sidecarFor(document: ConsentDocument): Record<string, unknown> {
  return { ...documentMetadata(document), storedAt: new Date().toISOString() };
}

/** Writes a hidden temporary file and flushes it to disk; its path is recorded for clean-up. */
async function writeSynced(dir: string, data: Buffer, partials: string[]): Promise<string> {
  const file = path.join(dir, `${PARTIAL_PREFIX}${randomUUID()}.tmp`);
  partials.push(file);
  const handle = await fs.open(file, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return file;
}

/**
 * Moves a finished temporary file to `target` unless `target` exists. A hard link is atomic and
 * never replaces; where the file system has no hard links (some network shares), rename after a
 * check, which the in-process lock makes safe against this connector's own concurrent calls.
 */
async function placeWithoutReplacing(temp: string, target: string): Promise<boolean> {
  try {
    await fs.link(temp, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw error;
    const exists = await fs.access(target).then(
      () => true,
      () => false,
    );
    if (exists) return false;
    await fs.rename(temp, target);
    return true;
  }
  await fs.rm(temp, { force: true });
  return true;
}

/** `name`, or `name (2)`, `name (3)`…: another document's file is never overwritten. */
async function freeBaseName(dir: string, base: string, withSidecar: boolean): Promise<string> {
  for (let n = 1; n <= 1000; n++) {
    const candidate = n === 1 ? base : `${base} (${n})`;
    const taken = await Promise.all(
      [`${candidate}.pdf`, ...(withSidecar ? [`${candidate}.json`] : [])].map((f) =>
        fs.access(path.join(dir, f)).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (!taken.includes(true)) return candidate;
  }
  throw new Error('ENAMESTAKEN');
}

/** Makes the renames durable where the platform allows syncing a folder (not on Windows). */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // not supported here; the renames are still atomic
  }
}

/** Partial files left by a crash are invisible but take space; remove the old ones. */
async function removeStalePartials(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(PARTIAL_PREFIX)) continue;
    const file = path.join(dir, name);
    const stat = await fs.stat(file).catch(() => null);
    if (stat && now - stat.mtimeMs > STALE_PARTIAL_MS) await fs.rm(file, { force: true });
  }
}
