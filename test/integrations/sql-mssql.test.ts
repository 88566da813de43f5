// patientLookup type sql, driver mssql. No SQL Server engine runs here, so: the dialect and the
// pool settings that matter for correctness, real failure behaviour against sockets that refuse
// or never answer, and the full lookup against a live server only when MSSQL_URL is set.
process.env.TZ = 'Europe/London';

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toIsoDate } from '../../src/main/integrations/common/record-mapping.js';
import { type LookupPolicy, lookupPatient } from '../../src/main/integrations/lookup-pipeline.js';
import { mssqlPoolConfig } from '../../src/main/integrations/sql/mssql-driver.js';
import { compileQuery, QueryParameterError } from '../../src/main/integrations/sql/named-params.js';
import { SqlPatientSource } from '../../src/main/integrations/sql/sql-patient-source.js';
import type { SqlLookupConfig } from '../../src/shared/config/sources.js';
import { assertNoPersonalData, capturingLogger, rpcFailure } from './helpers/capture.js';
import { closedPort, silentServer } from './helpers/ports.js';
import { deadline, NO_DEADLINE } from './helpers/signals.js';

const PRODUCTION: LookupPolicy = { environment: 'production' };

test(':id becomes each driver’s placeholder, never inside strings, comments or casts', () => {
  const query = `SELECT [hosp:id], ':id' AS lit, "x:id" FROM t -- :id here is a comment
    /* and :id here */ WHERE t.id = :id OR t.nhs = :id`;
  assert.equal(
    compileQuery(query, 'mssql'),
    `SELECT [hosp:id], ':id' AS lit, "x:id" FROM t -- :id here is a comment
    /* and :id here */ WHERE t.id = @id OR t.nhs = @id`,
  );
  assert.equal(
    compileQuery('SELECT * FROM p WHERE dob::text <> $$:id$$ AND id = :id::text', 'postgres'),
    'SELECT * FROM p WHERE dob::text <> $$:id$$ AND id = $1::text',
  );
  assert.equal(
    compileQuery("SELECT * FROM p WHERE id = :id AND note = 'it''s :id'", 'sqlite'),
    "SELECT * FROM p WHERE id = @id AND note = 'it''s :id'",
  );
  assert.equal(
    compileQuery('SELECT * FROM p WHERE x = :identifier OR id = :id', 'postgres'),
    'SELECT * FROM p WHERE x = :identifier OR id = $1',
  );
  assert.throws(() => compileQuery("SELECT * FROM p WHERE id = ':id'", 'mssql'), QueryParameterError);
});

test('pool settings: UTC dates, TLS on by default, certificate checked unless explicitly trusted', () => {
  const config = mssqlPoolConfig(
    { server: 'pas-db', database: 'PAS', user: 'reader', instanceName: 'SQLEXPRESS' },
    'pw',
  );
  assert.equal(config.options?.useUTC, true);
  assert.equal(config.options?.encrypt, true);
  assert.equal(config.options?.trustServerCertificate, false);
  assert.equal(config.port, undefined, 'a named instance is found through the browser service, not a fixed port');
  assert.equal(mssqlPoolConfig({ server: 'pas-db', database: 'PAS', user: 'reader' }, undefined).port, 1433);
  // What tedious hands back for DATE '1970-01-15' with useUTC: UTC midnight. Read in UTC, it stays the 15th here.
  assert.equal(toIsoDate(new Date(Date.UTC(1970, 0, 15))), '1970-01-15');
  assert.equal(toIsoDate(new Date(Date.UTC(1958, 6, 1))), '1958-07-01');
});

function mssqlSource(port: number, logger = capturingLogger(), extra: Partial<SqlLookupConfig['connection']> = {}) {
  return new SqlPatientSource(
    {
      type: 'sql',
      driver: 'mssql',
      connection: {
        server: '127.0.0.1',
        port,
        database: 'PAS',
        user: 'reader',
        encrypt: false,
        connectTimeoutMs: 5_000,
        ...extra,
      },
      query: 'SELECT * FROM dbo.Patient WHERE HospitalNumber = :id',
      columns: {
        firstName: 'Forename',
        familyName: 'Surname',
        dateOfBirth: 'DOB',
        gender: 'Sex',
        localIdentifier: 'HospitalNumber',
      },
    } as SqlLookupConfig,
    '.',
    logger,
  );
}

test('unreachable server → source_unavailable within the deadline, logged by code only', async (t) => {
  const logger = capturingLogger();
  const s = mssqlSource(await closedPort(), logger);
  t.after(() => s.close());
  const started = performance.now();
  const failure = await rpcFailure(lookupPatient(s, 'h123456', PRODUCTION, { signal: deadline(10_000) }));
  assert.equal(failure.reason, 'source_unavailable');
  // Before the 10 s deadline is all this guards (after it the reason would be source_timeout); no
  // tighter bound, as a busy machine may take seconds to refuse a connection.
  assert.ok(performance.now() - started < 10_000);
  assert.match(logger.lines.join('\n'), /code=ESOCKET/);
  assertNoPersonalData([failure.message, ...logger.lines], ['h123456']);
});

test('a server that never answers → source_timeout at the deadline', async (t) => {
  const silent = await silentServer(t);
  const s = mssqlSource(silent.port);
  t.after(() => s.close());
  const started = performance.now();
  const failure = await rpcFailure(lookupPatient(s, 'h123456', PRODUCTION, { signal: deadline(400) }));
  assert.equal(failure.reason, 'source_timeout');
  // Answered at the deadline, not after the driver's 5 s connect timeout.
  assert.ok(performance.now() - started < 5_000);
});

const MSSQL_URL = process.env.MSSQL_URL;
test(
  'live SQL Server: DATE unshifted, lookup and cancel (set MSSQL_URL=mssql://user:password@host:port/database)',
  { skip: MSSQL_URL ? false : 'no SQL Server here: set MSSQL_URL to run this test against one' },
  async (t) => {
    const url = new URL(MSSQL_URL as string);
    process.env.CC_TEST_MSSQL_PASSWORD = decodeURIComponent(url.password);
    const s = new SqlPatientSource(
      {
        type: 'sql',
        driver: 'mssql',
        connection: {
          server: url.hostname,
          port: Number(url.port || 1433),
          database: url.pathname.slice(1) || 'master',
          user: decodeURIComponent(url.username),
          password: { env: 'CC_TEST_MSSQL_PASSWORD' },
          trustServerCertificate: true,
        },
        query: `SELECT 'H1' AS HospitalNumber, 'ADA' AS Forename, 'LOVELACE' AS Surname,
                CAST('1970-01-15' AS date) AS DOB, 'F' AS Sex WHERE :id = 'h1'`,
        columns: {
          firstName: 'Forename',
          familyName: 'Surname',
          dateOfBirth: 'DOB',
          gender: 'Sex',
          localIdentifier: 'HospitalNumber',
        },
      },
      '.',
    );
    t.after(() => s.close());
    const { patient } = await lookupPatient(s, 'h1', PRODUCTION, { signal: NO_DEADLINE });
    assert.equal(patient?.dateOfBirth, '1970-01-15');
    const slow = new SqlPatientSource(
      {
        type: 'sql',
        driver: 'mssql',
        connection: {
          server: url.hostname,
          port: Number(url.port || 1433),
          database: url.pathname.slice(1) || 'master',
          user: decodeURIComponent(url.username),
          password: { env: 'CC_TEST_MSSQL_PASSWORD' },
          trustServerCertificate: true,
        },
        query: `WAITFOR DELAY '00:00:10'; SELECT 'H1' AS HospitalNumber WHERE :id = 'h1'`,
        columns: {
          firstName: 'Forename',
          familyName: 'Surname',
          dateOfBirth: 'DOB',
          gender: 'Sex',
          localIdentifier: 'HospitalNumber',
        },
      },
      '.',
    );
    t.after(() => slow.close());
    const started = performance.now();
    assert.equal(
      (await rpcFailure(lookupPatient(slow, 'h1', PRODUCTION, { signal: deadline(500) }))).reason,
      'source_timeout',
    );
    // Answered at the deadline, not when the 10 s WAITFOR ended.
    assert.ok(performance.now() - started < 10_000);
  },
);
