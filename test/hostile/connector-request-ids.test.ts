// Request ids from a platform written by someone else may be built from what they are about. The
// audit log keeps an id as it is only when it is an integer or a UUID, anything else as a keyed
// hash (`h:` + HMAC-SHA-256 under a per-installation key, PROTOCOL §3): the ids below are sent by
// a real platform over a real socket, and the database file is then scanned byte by byte.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { openAuditDbForReading } from '../../src/main/audit/open-db.js';
import { verifyChain } from '../../src/main/audit/verify.js';
import { loadConfigFile } from '../../src/main/config/load-config.js';
import { createRuntime } from '../../src/main/runtime.js';
import { FAST_TIMERS, waitForState } from '../helpers/connector-fixture.js';
import { startFakePlatform } from '../helpers/fake-platform.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOKEN = 'cc_demo_requestIdsTestToken_0123456789';
const SESSION = 'session-for-smith.jo';
const PERSONAL_IDS = [
  'smith.jo.1980-01-02',
  'RX1234567',
  '07700900123',
  `cc_demo_${'k'.repeat(24)}`,
  'lookup-9434765919',
  '9434765919',
  'lookup D100001',
];

async function runCalls(t: TestContext, dir: string, ids: Array<string | number>): Promise<string> {
  const platform = await startFakePlatform(t);
  const file = path.join(dir, 'connector.json');
  writeFileSync(
    file,
    JSON.stringify({
      environment: 'demo',
      platformUrl: platform.url,
      patientLookup: { type: 'demo' },
      timers: FAST_TIMERS,
    }),
  );
  const loaded = loadConfigFile(file);
  const runtime = createRuntime(loaded, TOKEN, undefined, { audit: true });
  runtime.connector.start();
  const socket = await platform.nextConnection();
  await socket.acceptHello({ sessionId: SESSION });
  await waitForState(runtime.connector, 'connected');
  for (const id of ids) {
    socket.request(id, 'connector.info', {});
    await socket.response(id);
  }
  await runtime.shutdown();
  return loaded.dataDir;
}

function storedIds(dataDir: string): Array<{ request_id: string | null; session_id: string | null }> {
  const db = openAuditDbForReading(path.join(dataDir, 'audit.sqlite'));
  try {
    assert.equal(verifyChain(db).ok, true);
    return db.prepare("SELECT request_id, session_id FROM audit_log WHERE kind = 'call' ORDER BY seq").all() as Array<{
      request_id: string | null;
      session_id: string | null;
    }>;
  } finally {
    db.close();
  }
}

test('integers and UUIDs are stored as they are; every other id only as a keyed hash', async (t) => {
  const dir = tempDir(t);
  const uuid = randomUUID();
  const ids: Array<string | number> = [42, uuid, ...PERSONAL_IDS, PERSONAL_IDS[0] as string];
  const dataDir = await runCalls(t, dir, ids);
  const rows = storedIds(dataDir);
  assert.equal(rows.length, ids.length);
  assert.equal(rows[0]?.request_id, '42');
  assert.equal(rows[1]?.request_id, uuid);
  const hashed = rows.slice(2).map((r) => r.request_id ?? '');
  for (const h of hashed) assert.match(h, /^h:[0-9a-f]{24}$/);
  assert.equal(new Set(hashed).size, PERSONAL_IDS.length, 'different ids hash differently');
  assert.equal(hashed.at(-1), hashed[0], 'one id hashes the same every time, so support can follow it');
  for (const r of rows) assert.match(r.session_id ?? '', /^h:[0-9a-f]{24}$/);

  // Byte-level scan: the database, its WAL and every other file the connector wrote.
  const { readdirSync } = await import('node:fs');
  for (const name of readdirSync(dataDir, { recursive: true }) as string[]) {
    const full = path.join(dataDir, name);
    if (!statSync(full).isFile()) continue;
    const bytes = readFileSync(full).toString('latin1').toLowerCase();
    for (const id of [...PERSONAL_IDS, SESSION, '943476', 'smith']) {
      assert.ok(!bytes.includes(id.toLowerCase()), `${name} holds the id ${id}`);
    }
  }
});

test('the key is made once per installation, readable only by its owner, and kept across restarts', async (t) => {
  const dir = tempDir(t);
  const first = await runCalls(t, dir, ['RX1234567']);
  const keyFile = path.join(first, 'audit-id-key');
  const key = readFileSync(keyFile, 'utf8');
  assert.match(key, /^[0-9a-f]{64}\n$/);
  if (process.platform !== 'win32') assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  assert.ok(statSync(path.join(first, 'connector-id')).isFile(), 'beside the connector id');
  const again = await runCalls(t, dir, ['RX1234567']);
  assert.equal(readFileSync(keyFile, 'utf8'), key);
  const rows = storedIds(again);
  assert.equal(rows.length, 2);
  assert.equal(rows[0]?.request_id, rows[1]?.request_id);

  // Another installation (another key) gives the same id another hash: the hash is not a lookup table.
  const other = await runCalls(t, tempDir(t), ['RX1234567']);
  assert.notEqual(storedIds(other)[0]?.request_id, rows[0]?.request_id);
});
