// The disk under the audit log fills up for real (a 2 MiB tmpfs, filled to the last byte) while
// the connector is under load: every call is still answered, the connector stays connected, the
// status says the disk is full, and once space is freed the log is written again.
// Mounting needs root; elsewhere the test is skipped with the reason (the audit tests also cover
// a full database with SQLite's page limit).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfigFile } from '../../src/main/config/load-config.js';
import { createRuntime } from '../../src/main/runtime.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { FAST_TIMERS, waitForState } from '../helpers/connector-fixture.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { assertEachAnswered, identifiers, lookupBurst, sleep } from './fault-kit.js';

function tryMountTmpfs(dir: string): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'mounting a small disk needs root on Linux';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]})`;
  }
}

/** Writes zeros until the disk refuses (ENOSPC). */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(16 * 1024);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
}

const mountPoint = tempDir({ after: (fn: () => void) => process.on('exit', fn) }, 'cc-disk-');
const skip = tryMountTmpfs(mountPoint);

test(
  'the audit disk fills under load: calls answered, still connected, warned, then recovers',
  { skip: skip ?? false },
  async (t) => {
    t.after(() => {
      execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' });
    });
    const fx = await startTestHub(t);
    const dir = tempDir(t);
    const file = path.join(dir, 'connector.json');
    const auditDir = path.join(mountPoint, 'audit');
    mkdirSync(auditDir);
    writeFileSync(
      file,
      JSON.stringify({
        environment: 'demo',
        platformUrl: fx.hub.wsUrl,
        patientLookup: { type: 'demo', latencyMs: 5 },
        timers: FAST_TIMERS,
        audit: { path: path.join(auditDir, 'audit.sqlite') },
      }),
    );
    const logger = captureLogger();
    const runtime = createRuntime(loadConfigFile(file), fx.mint('demo'), logger, { audit: true });
    t.after(() => runtime.shutdown());
    runtime.connector.start();
    await waitForState(runtime.connector, 'connected');
    const audit = runtime.audit;
    assert.ok(audit, 'the runtime writes an audit log');

    assert.equal(assertEachAnswered(await lookupBurst(fx.call, identifiers(20), 5), 20, { reasons: [] }), 20);
    audit.flush();
    assert.equal(audit.status().state, 'ok');

    const filler = path.join(mountPoint, 'filler');
    fillDisk(filler);
    const ids = identifiers(1_000, 1_000);
    const answers = await lookupBurst(fx.call, ids, 16);
    assert.equal(assertEachAnswered(answers, ids.length, { reasons: [] }), ids.length, 'every call answered');
    audit.flush();
    const failing = audit.status();
    assert.equal(failing.state, 'failing', 'the audit log could not keep up with a full disk');
    assert.equal(failing.problem, 'full');
    assert.ok(failing.lost > 0);
    assert.match(runtime.warnings()[0]?.message ?? '', /disk is full/);
    assert.equal(runtime.connector.status().state, 'connected');
    assert.equal(logger.lines.filter((l) => l.includes('audit log cannot be written')).length, 1, 'said once');

    rmSync(filler);
    await sleep(50);
    assert.equal(assertEachAnswered(await lookupBurst(fx.call, identifiers(20, 3_000), 5), 20, { reasons: [] }), 20);
    audit.flush();
    assert.equal(audit.status().state, 'ok', 'writing resumed once space was freed');
    assert.ok(logger.lines.some((l) => l.includes('audit log writable again')));
  },
);
