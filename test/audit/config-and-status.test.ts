import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { AuditCallHistory } from '../../src/main/audit/audit-call-history.js';
import { AuditWriter } from '../../src/main/audit/audit-writer.js';
import { openAuditDbForReading } from '../../src/main/audit/open-db.js';
import { tail } from '../../src/main/audit/queries.js';
import { tempDir } from '../helpers/temp-dir.js';
import { callEvent } from './fixtures.js';

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
