// patientLookup type sql, driver sqlite: a real database file, queried in worker threads so that
// a slow query can be stopped (and never stalls the connector's event loop).
process.env.TZ = 'Europe/London';

import assert from 'node:assert/strict';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import Database from 'better-sqlite3';
import { type LookupPolicy, lookupPatient } from '../../src/main/integrations/lookup-pipeline.js';
import { SqlPatientSource } from '../../src/main/integrations/sql/sql-patient-source.js';
import { SqliteDriver } from '../../src/main/integrations/sql/sqlite-driver.js';
import { tempDir } from '../helpers/temp-dir.js';
import { assertNoPersonalData, capturingLogger, rpcFailure } from './helpers/capture.js';
import { cancellable, deadline, NO_DEADLINE, nhsNumber } from './helpers/signals.js';

const NHS = nhsNumber('401023213');
const PRODUCTION: LookupPolicy = { environment: 'production', titleCaseNames: true };
const PERSONAL = ['p00042', NHS, 'MACDONALD', 'MacDonald', 'EILIDH', '1970-01-15'];

function makeDatabase(t: TestContext): string {
  const file = path.join(tempDir(t), 'pas.sqlite');
  const db = new Database(file);
  db.exec(`
    CREATE TABLE PATIENT (
      PAT_ID TEXT PRIMARY KEY, NHS_NUMBER TEXT, TITLE TEXT, FORENAME TEXT, MIDDLE TEXT, SURNAME TEXT,
      DATE_OF_BIRTH DATE, SEX TEXT, MOBILE TEXT, EMAIL TEXT, TEST_PATIENT INTEGER
    );
  `);
  db.prepare('INSERT INTO PATIENT VALUES (?,?,?,?,?,?,?,?,?,?,?)').run(
    'P00042',
    NHS,
    'MISS',
    'EILIDH',
    'MORAG',
    'MACDONALD',
    '1970-01-15',
    '2',
    null,
    'eilidh@example.invalid',
    0,
  );
  db.close();
  return file;
}

const COLUMNS = {
  title: 'TITLE',
  firstName: 'FORENAME',
  middleNames: 'MIDDLE',
  familyName: 'SURNAME',
  dateOfBirth: 'DATE_OF_BIRTH',
  gender: 'SEX',
  localIdentifier: 'PAT_ID',
  nationalIdentifier: 'NHS_NUMBER',
  mobile: 'MOBILE',
  email: 'EMAIL',
  isTestPatient: 'TEST_PATIENT',
};

function source(t: TestContext, file: string, query: string, logger = capturingLogger()) {
  const s = new SqlPatientSource(
    {
      type: 'sql',
      driver: 'sqlite',
      connection: { file },
      query,
      columns: COLUMNS,
      genderMap: { '1': 'male', '2': 'female' },
    },
    '.',
    logger,
  );
  t.after(() => s.close());
  return s;
}

test('maps a row with a configured gender code and an unshifted DATE', async (t) => {
  const file = makeDatabase(t);
  const logger = capturingLogger();
  const s = source(t, file, 'SELECT * FROM PATIENT WHERE lower(PAT_ID) = :id OR NHS_NUMBER = :id', logger);
  const { patient } = await lookupPatient(s, 'p00042', PRODUCTION, { signal: NO_DEADLINE });
  assert.deepEqual(patient, {
    title: 'Miss',
    firstName: 'Eilidh',
    middleNames: 'Morag',
    familyName: 'MacDonald',
    dateOfBirth: '1970-01-15',
    gender: 'female',
    localIdentifier: 'P00042',
    nationalIdentifier: NHS,
    email: 'eilidh@example.invalid',
    mobile: null,
    isTestPatient: false,
  });
  assert.equal((await lookupPatient(s, NHS, PRODUCTION, { signal: NO_DEADLINE })).patient?.localIdentifier, 'P00042');
  assert.deepEqual(await lookupPatient(s, "p'--", PRODUCTION, { signal: NO_DEADLINE }), { patient: null });
  assert.equal(await s.ping({ signal: NO_DEADLINE }), true);
  assertNoPersonalData(logger.lines, PERSONAL);
});

test('a missing database file → source_unavailable, logged by code only', async (t) => {
  const logger = capturingLogger();
  const s = source(t, path.join(tempDir(t), 'missing.sqlite'), 'SELECT * FROM PATIENT WHERE PAT_ID = :id', logger);
  const failure = await rpcFailure(lookupPatient(s, 'p00042', PRODUCTION, { signal: deadline(5_000) }));
  assert.equal(failure.reason, 'source_unavailable');
  assert.match(logger.lines.join('\n'), /code=SQLITE_CANTOPEN/);
  assertNoPersonalData([failure.message, ...logger.lines], PERSONAL);
});

// Counts to a very large number before matching: seconds of CPU inside SQLite.
const SLOW = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400000000)
  SELECT * FROM PATIENT WHERE lower(PAT_ID) = :id AND (SELECT max(x) FROM c) > 0`;

test('slow → source_timeout; cancel terminates the query, so the CPU goes quiet and the event loop never stalled', async (t) => {
  const file = makeDatabase(t);
  const s = source(t, file, SLOW);
  let longestStall = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    longestStall = Math.max(longestStall, now - last);
    last = now;
  }, 10);
  t.after(() => clearInterval(ticker));

  const started = performance.now();
  const slow = await rpcFailure(lookupPatient(s, 'p00042', PRODUCTION, { signal: deadline(400) }));
  assert.equal(slow.reason, 'source_timeout');
  // SLOW runs for far longer than 10 s: answered at the deadline, not when SQLite finished.
  assert.ok(performance.now() - started < 10_000);

  const call = cancellable();
  const pending = lookupPatient(s, 'p00042', PRODUCTION, { signal: call.signal });
  await new Promise((r) => setTimeout(r, 300));
  call.cancel();
  assert.equal((await rpcFailure(pending)).reason, 'cancelled');
  assert.equal((s.driver as SqliteDriver).terminated, 2);
  // A query still running would keep one core busy; after the abort this process is idle.
  await new Promise((r) => setTimeout(r, 200));
  const cpu = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 600));
  const used = process.cpuUsage(cpu);
  assert.ok((used.user + used.system) / 1000 < 300, `CPU still busy: ${(used.user + used.system) / 1000} ms in 600 ms`);
  // A query on the event loop would stall it for the whole query (tens of seconds); a busy machine
  // can stall it briefly on its own.
  assert.ok(longestStall < 2_000, `event loop stalled ${longestStall} ms`);
});

test('inside Electron (helpers as worker threads): lookups work, and an aborted slow query is answered at once', async (t) => {
  const file = makeDatabase(t);
  const fast = new SqliteDriver({ file }, 'SELECT * FROM PATIENT WHERE lower(PAT_ID) = :id', '.', 'thread');
  t.after(() => fast.close());
  const rows = await fast.query('p00042', deadline(5_000));
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.DATE_OF_BIRTH, '1970-01-15');
  assert.equal(await fast.ping(deadline(5_000)), true);

  const slow = new SqliteDriver({ file }, SLOW, '.', 'thread');
  t.after(() => slow.close());
  let longestStall = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    longestStall = Math.max(longestStall, now - last);
    last = now;
  }, 10);
  t.after(() => clearInterval(ticker));
  const started = performance.now();
  await assert.rejects(slow.query('p00042', deadline(300)));
  assert.ok(performance.now() - started < 10_000, 'answered at the deadline, not when SQLite finished');
  assert.equal(slow.terminated, 1);
  // A query on the event loop would stall it for the whole query (tens of seconds); a busy machine
  // can stall it briefly on its own.
  assert.ok(longestStall < 2_000, `event loop stalled ${longestStall} ms`);
});
