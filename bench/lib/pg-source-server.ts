// A real PostgreSQL as its own process, for the lookup-overhead benchmark: PGlite (PostgreSQL
// compiled to WebAssembly) behind pglite-socket, PostgreSQL's wire protocol on a loopback TCP
// port, as test/integrations/sql-postgres.test.ts uses it. Seeded with a PAS-like table of
// `count` patients. Prints `port=N` once it is listening.
// Usage: node --import tsx bench/lib/pg-source-server.ts <count> <maxConnections>
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { benchPatients } from './source-patients.js';

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 1000);
  const maxConnections = Number(process.argv[3] ?? 20);
  const db = await PGlite.create();
  await db.exec(`
    CREATE TABLE pas_patient (
      hospital_no varchar(20) PRIMARY KEY,
      nhs_no varchar(12),
      title varchar(10),
      forename varchar(50) NOT NULL,
      surname varchar(50) NOT NULL,
      dob date NOT NULL,
      sex char(1) NOT NULL,
      mobile_tel varchar(20),
      test_flag char(1) NOT NULL -- the benchmark runs in the demo environment: test patients only
    );
    -- Lookups arrive downcased; a PAS stores hospital numbers in capitals.
    CREATE INDEX pas_patient_hospital_no_lower ON pas_patient (lower(hospital_no));
  `);
  // One statement for all rows (row by row costs PGlite several seconds).
  const patients = benchPatients(count);
  const column = (f: (p: (typeof patients)[number]) => string) => patients.map(f);
  await db.query(
    `INSERT INTO pas_patient
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::text[], $8::text[], $9::text[])`,
    [
      column((p) => p.hospitalNumber),
      column((p) => p.nhsNumber),
      column((p) => p.title),
      column((p) => p.firstName.toUpperCase()),
      column((p) => p.familyName.toUpperCase()),
      column((p) => p.dateOfBirth),
      column((p) => (p.gender === 'female' ? 'F' : 'M')),
      column((p) => p.mobile),
      column(() => 'Y'),
    ],
  );
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pas_patient');
  if (rows[0]?.n !== count) throw new Error(`seeded ${rows[0]?.n} rows instead of ${count}`);
  await db.exec('ANALYZE pas_patient');
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections });
  await server.start();
  process.stdout.write(`port=${server.getServerConn().split(':').pop()}\n`);
  process.on('SIGTERM', () => {
    server.stop().finally(() => process.exit(0));
  });
}

main().catch((error) => {
  process.stderr.write(`pg source server: ${(error as Error).stack}\n`);
  process.exit(1);
});
