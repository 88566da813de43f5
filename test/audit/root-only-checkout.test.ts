// CI runs the suite as root in a checkout inside a folder only root may enter. The read-only audit
// scenario drops to `nobody` (root would be allowed to write anyway); anything it still had to load
// from the checkout after that — better-sqlite3's native addon was one — could not be read, and the
// audit log failed for the wrong reason ('other' instead of 'read_only'). Here the checkout is
// linked into such a folder for real and the scenario runs from there.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { AuditWriter } from '../../src/main/audit/audit-writer.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { REPO_ROOT } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);

/** A hard-linked copy of what the scenario needs, inside a folder only root may enter; or why not. */
function rootOnlyCheckout(): { dir: string; checkout: string } | string {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux (as CI runs)';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cc-root-only-'));
  chmodSync(dir, 0o700);
  const checkout = path.join(dir, 'checkout');
  mkdirSync(checkout);
  try {
    for (const name of ['src', 'test', 'node_modules']) {
      execFileSync('cp', ['-al', path.join(REPO_ROOT, name), checkout], { stdio: 'pipe' });
    }
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return 'the temporary folder is on another disk than the checkout (hard links impossible)';
  }
  for (const name of ['package.json', 'tsconfig.json'])
    copyFileSync(path.join(REPO_ROOT, name), path.join(checkout, name));
  return { dir, checkout };
}

const prepared = rootOnlyCheckout();

test(
  'the read-only audit scenario reports read_only when the checkout is in a folder only root may enter',
  { skip: typeof prepared === 'string' ? prepared : false },
  async (t) => {
    const { dir, checkout } = prepared as { dir: string; checkout: string };
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const fx = await startTestHub(t);
    const dataDir = tempDir(t);
    chmodSync(dataDir, 0o777);
    const auditDir = tempDir(t);
    const file = path.join(auditDir, 'audit.sqlite');
    const earlier = new AuditWriter({ path: file });
    earlier.recordConnection({ event: 'connected', sessionId: 'earlier' });
    earlier.close();
    chmodSync(file, 0o444);
    chmodSync(auditDir, 0o555);
    const scenario = path.join(checkout, 'test', 'audit', 'scenarios', 'read-only-run.ts');
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', scenario, file, dataDir, fx.hub.wsUrl, fx.hub.httpUrl, '3'],
      { cwd: checkout, timeout: 60_000, env: { ...process.env, SCENARIO_TOKEN: fx.mint('demo') } },
    );
    const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    assert.notEqual(out.uid, 0);
    assert.equal(out.answered, 3);
    assert.equal(out.status.problem, 'read_only');
  },
);
