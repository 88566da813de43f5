// patientLookup type sql, driver postgres: `pg` over a real socket to PostgreSQL (PGlite behind
// pglite-socket), a PAS-like schema with capitals, DATE columns and nulls, read in Europe/London.
process.env.TZ = 'Europe/London';

import assert from 'node:assert/strict';
import { after as afterAll, before, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { type LookupPolicy, lookupPatient } from '../../src/main/integrations/lookup-pipeline.js';
import { SqlPatientSource } from '../../src/main/integrations/sql/sql-patient-source.js';
import type { SqlLookupConfig } from '../../src/shared/config/sources.js';
import { assertNoPersonalData, capturingLogger, rpcFailure } from './helpers/capture.js';
import { closedPort } from './helpers/ports.js';
import { cancellable, deadline, NO_DEADLINE, nhsNumber } from './helpers/signals.js';

const NHS = nhsNumber('401023213');
const PRODUCTION: LookupPolicy = { environment: 'production', titleCaseNames: true };
const PERSONAL = ['h123456', 'H123456', NHS, 'OKONKWO', 'Okonkwo', 'ADAEZE', '1970-01-15', 'h777777'];

let db: PGlite;
let server: PGLiteSocketServer;
let port: number;

before(async () => {
  db = await PGlite.create();
  await db.exec(`
    CREATE TABLE pas_patient (
      hospital_no varchar(20) PRIMARY KEY,
      nhs_no varchar(12),
      title varchar(10),
      forename varchar(50) NOT NULL,
      middle_names varchar(100),
      surname varchar(50) NOT NULL,
      dob date,
      sex char(1),
      mobile_tel varchar(20),
      email varchar(100),
      test_flag char(1)
    );
    INSERT INTO pas_patient VALUES
      ('H123456', '${NHS.slice(0, 3)} ${NHS.slice(3, 6)} ${NHS.slice(6)}', 'MS', 'ADAEZE', NULL, 'OKONKWO', '1970-01-15', 'F', '07700 900456', NULL, 'N'),
      ('H777777', NULL, NULL, 'SEAN', 'PATRICK', 'O''BRIEN', NULL, 'M', NULL, NULL, 'Y'),
      ('H888888', NULL, NULL, 'ALEX', NULL, 'TAYLOR', '1999-12-31', NULL, NULL, NULL, 'Y');
    CREATE TABLE lookup_calls (n serial PRIMARY KEY);
    CREATE FUNCTION find_patient(p text) RETURNS SETOF pas_patient AS $$
      INSERT INTO lookup_calls DEFAULT VALUES;
      SELECT * FROM pas_patient WHERE lower(hospital_no) = p;
    $$ LANGUAGE sql;
  `);
  server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 10 });
  await server.start();
  port = Number(server.getServerConn().split(':').pop());
});

afterAll(async () => {
  await server.stop();
  await db.close();
});

const COLUMNS = {
  title: 'TITLE',
  firstName: 'FORENAME',
  middleNames: 'MIDDLE_NAMES',
  familyName: 'SURNAME',
  dateOfBirth: 'DOB',
  gender: 'SEX',
  localIdentifier: 'HOSPITAL_NO',
  nationalIdentifier: 'NHS_NO',
  mobile: 'MOBILE_TEL',
  email: 'EMAIL',
  isTestPatient: 'TEST_FLAG',
};

function source(query: string, extra: Partial<SqlLookupConfig> = {}, logger = capturingLogger()) {
  const config = {
    type: 'sql',
    driver: 'postgres',
    connection: { host: '127.0.0.1', port, database: 'postgres', user: 'postgres', connectTimeoutMs: 2_000 },
    query,
    columns: COLUMNS,
    ...extra,
  } as SqlLookupConfig;
  return new SqlPatientSource(config, '.', logger);
}

const BY_EITHER = `SELECT * FROM pas_patient
  WHERE lower(hospital_no) = :id -- the identifier arrives downcased
     OR replace(nhs_no, ' ', '') = :id`;

test('maps a PAS row: capitals to Title Case, DATE not shifted in Europe/London, NHS number spacing removed', async (t) => {
  // The trap this guards against: a DATE parsed as local midnight is the day before in UTC (BST in 1970).
  assert.match(new Date(1970, 0, 15).toISOString(), /^1970-01-14/);
  const logger = capturingLogger();
  const s = source(BY_EITHER, {}, logger);
  t.after(() => s.close());
  const { patient } = await lookupPatient(s, 'h123456', PRODUCTION, { signal: NO_DEADLINE });
  assert.deepEqual(patient, {
    title: 'Ms',
    firstName: 'Adaeze',
    middleNames: null,
    familyName: 'Okonkwo',
    dateOfBirth: '1970-01-15',
    gender: 'female',
    localIdentifier: 'H123456',
    nationalIdentifier: NHS,
    email: null,
    mobile: '07700 900456',
    isTestPatient: false,
  });
  assert.equal((await lookupPatient(s, NHS, PRODUCTION, { signal: NO_DEADLINE })).patient?.localIdentifier, 'H123456');
  assert.deepEqual(await lookupPatient(s, 'h000000', PRODUCTION, { signal: NO_DEADLINE }), { patient: null });
  assert.equal(await s.ping({ signal: NO_DEADLINE }), true);
  assertNoPersonalData(logger.lines, PERSONAL);
});

test('nulls: a missing DOB is invalid_source_record; a null sex maps through genderMap ""', async (t) => {
  const s = source(BY_EITHER, { genderMap: { '': 'unknown' } });
  t.after(() => s.close());
  const failure = await rpcFailure(lookupPatient(s, 'h777777', PRODUCTION, { signal: NO_DEADLINE }));
  assert.equal(failure.reason, 'invalid_source_record');
  assert.match(failure.message, /dateOfBirth/);
  const { patient } = await lookupPatient(s, 'h888888', PRODUCTION, { signal: NO_DEADLINE });
  assert.equal(patient?.gender, 'unknown');
  assert.equal(patient?.isTestPatient, true);
});

test('the identifier is bound, never spliced: SQL in the identifier finds nothing and breaks nothing', async (t) => {
  const s = source(BY_EITHER);
  t.after(() => s.close());
  for (const id of ["x'or'1'='1", 'h123456;droptablepas_patient', '$1']) {
    assert.deepEqual(await lookupPatient(s, id, PRODUCTION, { signal: NO_DEADLINE }), { patient: null });
  }
  const rows = await db.query('SELECT count(*)::int AS n FROM pas_patient');
  assert.equal((rows.rows[0] as { n: number }).n, 3);
});

test('unreachable → source_unavailable within the deadline, logged by code only', async (t) => {
  const logger = capturingLogger();
  const s = new SqlPatientSource(
    {
      type: 'sql',
      driver: 'postgres',
      connection: { host: '127.0.0.1', port: await closedPort(), database: 'pas', user: 'reader' },
      query: BY_EITHER,
      columns: COLUMNS,
    },
    '.',
    logger,
  );
  t.after(() => s.close());
  const started = performance.now();
  const failure = await rpcFailure(lookupPatient(s, 'h123456', PRODUCTION, { signal: deadline(10_000) }));
  assert.equal(failure.reason, 'source_unavailable');
  // Before the 10 s deadline is all this guards (after it the reason would be source_timeout); no
  // tighter bound, as a busy machine may take seconds to refuse a connection.
  assert.ok(performance.now() - started < 10_000);
  assert.match(logger.lines.join('\n'), /code=ECONNREFUSED/);
  assertNoPersonalData([failure.message, ...logger.lines], PERSONAL);
});

/** Holds PGlite's single engine inside a transaction, so every other connection's query waits. */
async function holdDatabase(): Promise<{ release(): Promise<void> }> {
  const blocker = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query('SELECT 1');
  return {
    async release() {
      await blocker.query('COMMIT');
      await blocker.end();
    },
  };
}

async function callCount(): Promise<number> {
  const rows = await db.query('SELECT count(*)::int AS n FROM lookup_calls');
  return (rows.rows[0] as { n: number }).n;
}

test('slow → source_timeout at the deadline; cancel stops the query in the database (it never runs)', async (t) => {
  const logger = capturingLogger();
  const s = source('SELECT * FROM find_patient(:id)', {}, logger);
  t.after(() => s.close());
  // Warm the pool so that the connection is open before the database is held.
  assert.equal(
    (await lookupPatient(s, 'h123456', PRODUCTION, { signal: NO_DEADLINE })).patient?.localIdentifier,
    'H123456',
  );
  const callsBefore = await callCount();

  const hold = await holdDatabase();
  const started = performance.now();
  const slow = await rpcFailure(lookupPatient(s, 'h123456', PRODUCTION, { signal: deadline(300) }));
  assert.equal(slow.reason, 'source_timeout');
  // The held database would never answer: answered at the deadline, well before a lookup's default 10 s.
  assert.ok(performance.now() - started < 10_000);

  const call = cancellable();
  const pending = lookupPatient(s, 'h123456', PRODUCTION, { signal: call.signal });
  await waitFor(() => server.getStats().queuedQueries > 0);
  call.cancel();
  assert.equal((await rpcFailure(pending)).reason, 'cancelled');
  // The connection was closed, so the server dropped the queued query…
  await waitFor(() => server.getStats().queuedQueries === 0);
  await hold.release();
  // …and neither aborted call ever executed in the database.
  assert.equal(await callCount(), callsBefore);
  // The pool recovers: the next lookup works.
  assert.equal((await lookupPatient(s, 'h123456', PRODUCTION, { signal: NO_DEADLINE })).patient?.familyName, 'Okonkwo');
  assertNoPersonalData(logger.lines, PERSONAL);
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
