// Clean-up for benchmark runs: child processes, servers and temporary folders registered with
// `after` are closed in reverse order, so that a benchmark never leaves a process behind.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Afterable } from '../../test/helpers/processes.js';

export class Scope implements Afterable {
  private readonly cleanups: Array<() => unknown> = [];

  after(fn: () => unknown): void {
    this.cleanups.push(fn);
  }

  tempDir(prefix = 'cc-bench-'): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    this.after(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  async close(): Promise<void> {
    for (const fn of this.cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // best effort: the remaining clean-ups still run
      }
    }
    this.cleanups.length = 0;
  }
}

/** Runs `fn` with a fresh scope that is always closed afterwards. */
export async function withScope<T>(fn: (scope: Scope) => Promise<T>): Promise<T> {
  const scope = new Scope();
  try {
    return await fn(scope);
  } finally {
    await scope.close();
  }
}
