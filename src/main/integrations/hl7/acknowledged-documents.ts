// The documentIds an HL7 receiver has already acknowledged, so that consent.store answers
// `duplicate: true` instead of filing the same PDF twice (MLLP has no way to ask the receiver).
// One JSON line per document ({documentId, location}: no personal data), appended and fsynced
// before the call answers; without a data folder the record lives in memory only.
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Logger, silentLogger } from '../../core/logger.js';

export class AcknowledgedDocuments {
  private entries: Map<string, string> | null = null;
  private loading: Promise<Map<string, string>> | null = null;

  constructor(
    private readonly file?: string,
    private readonly logger: Logger = silentLogger,
  ) {}

  async location(documentId: string): Promise<string | undefined> {
    return (await this.load()).get(documentId);
  }

  async add(documentId: string, location: string): Promise<void> {
    const entries = await this.load();
    entries.set(documentId, location);
    if (!this.file) return;
    await mkdir(path.dirname(this.file), { recursive: true });
    const handle = await open(this.file, 'a', 0o600);
    try {
      await handle.write(`${JSON.stringify({ documentId, location })}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private load(): Promise<Map<string, string>> {
    if (this.entries) return Promise.resolve(this.entries);
    this.loading ??= this.read().then((entries) => {
      this.entries = entries;
      return entries;
    });
    return this.loading;
  }

  private async read(): Promise<Map<string, string>> {
    const entries = new Map<string, string>();
    if (!this.file) return entries;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
      // Unreadable: carry on without it. A resend the receiver can recognise (same TXA-12) is
      // better than refusing every consent until someone fixes the folder.
      if (code !== 'ENOENT')
        this.logger.warn('hl7 store: could not read the record of acknowledged documents', { code });
      return entries;
    }
    for (const line of text.split('\n')) {
      // A torn last line (a crash mid-append) is skipped: that document was not yet answered.
      try {
        const entry = JSON.parse(line) as { documentId?: unknown; location?: unknown };
        if (typeof entry.documentId === 'string' && typeof entry.location === 'string') {
          entries.set(entry.documentId, entry.location);
        }
      } catch {}
    }
    return entries;
  }
}
