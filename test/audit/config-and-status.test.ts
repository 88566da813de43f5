import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import { AuditCallHistory } from '../../src/main/audit/audit-call-history.js';
import { AuditWriter } from '../../src/main/audit/audit-writer.js';
import { openAuditDbForReading } from '../../src/main/audit/open-db.js';
import { tail } from '../../src/main/audit/queries.js';
import { tempDir } from '../helpers/temp-dir.js';
import { callEvent, rawConnection } from './fixtures.js';

test('configuration changes across restarts are recorded by section name, never by value', (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const config = {
    environment: 'production',
    platformUrl: 'wss://platform.example/connector/v1',
    patientLookup: { type: 'sql', connection: { host: 'db.clinic.local', database: 'pas' } },
  };
  const start = (c: Record<string, unknown>) => {
    const w = new AuditWriter({ path: file });
    w.recordConfigState(c);
    w.close();
  };
  start(config);
  start(config); // unchanged: nothing recorded
  start({ ...config, patientLookup: { type: 'sql', connection: { host: 'db2.clinic.local', database: 'pas' } } });
  start({ environment: 'production', platformUrl: config.platformUrl, maxConcurrency: 8 });

  const db = openAuditDbForReading(file);
  t.after(() => db.close());
  const rows = tail(db, 10).filter((r) => r.kind === 'config');
  assert.deepEqual(
    rows.map((r) => JSON.parse(r.detail ?? '{}').sections),
    [['environment', 'patientLookup', 'platformUrl'], ['patientLookup'], ['maxConcurrency', 'patientLookup']],
  );
  const bytes = JSON.stringify(db.prepare('SELECT * FROM audit_log').all());
  assert.ok(!bytes.includes('clinic.local') && !bytes.includes('platform.example'), 'values never stored');
});

test('recent calls and counts for the status view come from the log, newest first', (t) => {
  const writer = new AuditWriter({ path: path.join(tempDir(t), 'audit.sqlite') });
  t.after(() => writer.close());
  for (let i = 1; i <= 30; i++) writer.recordCall(callEvent(i));
  const history = new AuditCallHistory(writer, 'production');
  const recent = history.recentCalls(5);
  assert.equal(recent.length, 5);
  assert.deepEqual(
    recent.map((r) => r.method),
    ['patient.lookup', 'connector.info', 'consent.store', 'patient.lookup', 'connector.info'],
  );
  assert.equal(recent[0]?.environment, 'production');
  assert.equal(recent[0]?.durationMs, 30.3);
  // i = 1..30: lookups at i % 3 == 0 (10), stores at i % 3 == 1 (10), errors at i % 7 == 0 except info.
  const counts = history.countsSince(new Date(Date.now() - 60_000));
  assert.deepEqual(counts, { lookups: 10, documents: 10, errors: 3 });
  assert.deepEqual(history.countsSince(new Date(Date.now() + 60_000)), { lookups: 0, documents: 0, errors: 0 });
  assert.equal(history.warning(), null);
});

test("the proxy's user name and password are not part of its fingerprint", (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const base = { environment: 'production', platformUrl: 'wss://platform.example/connector/v1' };
  const start = (proxy: string) => {
    const w = new AuditWriter({ path: file });
    w.recordConfigState({ ...base, proxy });
    w.close();
  };
  start('http://clinic:Winter2026@proxy.clinic.local:8080');
  const raw = rawConnection(file);
  t.after(() => raw.close());
  const digest = (name: string) =>
    (raw.prepare('SELECT digest FROM audit_config_state WHERE name = ?').get(name) as { digest: string }).digest;
  // A salted hash of the password, stored beside its salt, could be tested against guesses offline.
  const salt = digest('$salt');
  const withCredentials = createHash('sha256')
    .update(salt)
    .update(JSON.stringify('http://clinic:Winter2026@proxy.clinic.local:8080'))
    .digest('hex');
  const withoutCredentials = createHash('sha256')
    .update(salt)
    .update(JSON.stringify('http://proxy.clinic.local:8080'))
    .digest('hex');
  assert.notEqual(digest('proxy'), withCredentials);
  assert.equal(digest('proxy'), withoutCredentials);

  start('http://clinic:Spring2027@proxy.clinic.local:8080'); // a new password only
  start('http://clinic:Spring2027@proxy2.clinic.local:8080'); // a new proxy
  const db = openAuditDbForReading(file);
  t.after(() => db.close());
  const rows = tail(db, 10).filter((r) => r.kind === 'config');
  assert.deepEqual(
    rows.map((r) => JSON.parse(r.detail ?? '{}').sections),
    [['environment', 'platformUrl', 'proxy'], ['proxy']], // the first start, then the new proxy only
  );
});
