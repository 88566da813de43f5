// The done criterion of the forms: a PostgreSQL patient lookup (real PostgreSQL: PGlite over a
// socket) and a folder document store set up from the wizard's forms without More settings, the
// columns mapped from the test patient's row, the password kept out of connector.json; and the
// same mapping against a real SQLite file.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import Database from 'better-sqlite3';
import { sqlColumns } from '../../src/main/controller/sql-columns.js';
import { labelled, nextThrough, toDatabaseForm, typeInto } from './form-steps.js';
import { startUi } from './ui-fixture.js';

// Made-up people; none of these may appear on screen before the person asks for a test lookup.
const PERSONAL = ['OKONKWO', 'Okonkwo', 'ADAEZE', 'Adaeze', '1970-01-15', '4010232137', '07700 900456'];
const PASSWORD = 'Db-Secret-2026-pw';
const QUERY =
  "SELECT hospital_no, nhs_no, title, forename, middle_names, surname, dob, sex, mobile_tel, email, test_flag FROM pas_patient WHERE lower(hospital_no) = :id OR replace(nhs_no, ' ', '') = :id";

let db: PGlite;
let server: PGLiteSocketServer;
let port: number;

before(async () => {
  db = await PGlite.create();
  await db.exec(`
    CREATE TABLE pas_patient (
      hospital_no varchar(20) PRIMARY KEY, nhs_no varchar(12), title varchar(10), forename varchar(50) NOT NULL,
      middle_names varchar(100), surname varchar(50) NOT NULL, dob date, sex char(1), mobile_tel varchar(20),
      email varchar(100), test_flag char(1)
    );
    INSERT INTO pas_patient VALUES
      ('H123456', '401 023 2137', 'MS', 'ADAEZE', NULL, 'OKONKWO', '1970-01-15', 'F', '07700 900456', NULL, 'Y');
  `);
  server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 10 });
  await server.start();
  port = Number(server.getServerConn().split(':').pop());
});

after(async () => {
  await server.stop();
  await db.close();
});

test(
  'a PostgreSQL patient lookup and a folder store, set up from the forms alone, write the connector.json a person would write by hand',
  { timeout: 120_000 },
  async (t) => {
    const ui = await startUi(t);
    const { page } = ui;
    await toDatabaseForm(ui);
    assert.equal(await labelled(page, 'Database kind').inputValue(), 'postgres', 'PostgreSQL is the default');
    await typeInto(labelled(page, 'Server'), '127.0.0.1');
    await typeInto(labelled(page, 'Port (optional)'), String(port));
    await typeInto(labelled(page, 'Database'), 'postgres');
    await typeInto(labelled(page, 'User name'), 'postgres');
    await typeInto(labelled(page, 'Password (optional)'), PASSWORD);
    await typeInto(labelled(page, 'Query (:id is where the patient’s number goes)'), QUERY);

    // Next before the columns are mapped: each missing one is named beside its drop-down.
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('alert').getByText('Check the 5 settings marked with a cross.').waitFor();
    assert.equal(await labelled(page, 'Family name').getAttribute('aria-invalid'), 'true');
    await page.locator('#patientLookup-columns-familyName-error').getByText('Fill this in.').waitFor();

    await typeInto(page.getByLabel('Test patient’s number'), 'h123456');
    await page.getByRole('button', { name: 'Run with the test patient' }).click();
    await page.getByTestId('mapping-result').getByText('The query returned 11 columns.').waitFor();
    const expectedColumns = {
      localIdentifier: 'hospital_no',
      nationalIdentifier: 'nhs_no',
      title: 'title',
      firstName: 'forename',
      middleNames: 'middle_names',
      familyName: 'surname',
      dateOfBirth: 'dob',
      gender: 'sex',
      mobile: 'mobile_tel',
      email: 'email',
      isTestPatient: 'test_flag',
    };
    for (const [field, column] of Object.entries(expectedColumns)) {
      assert.equal(
        await page.locator(`#patientLookup-columns-${field}`).inputValue(),
        column,
        `${field} is preselected from the column names`,
      );
    }
    assert.equal(await page.getByLabel('Gender code “F”').inputValue(), 'female', 'F is understood as female');
    const shown = await page.locator('body').innerText();
    for (const value of PERSONAL) assert.ok(!shown.includes(value), 'only column names are shown, never the row');
    await ui.screenshot('wizard-3-database');

    await page.getByRole('button', { name: 'Test lookup' }).click();
    await page.getByTestId('lookup-result').getByText('Found.').waitFor();
    assert.match(
      await page.getByTestId('lookup-result').innerText(),
      /okonkwo/i,
      'the asked-for test lookup shows the patient',
    );
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: 'Consent documents' }).waitFor();
    const folder = path.join(ui.dir, 'consent forms');
    mkdirSync(folder);
    await page.getByRole('radio', { name: /Folder or network share/ }).check();
    assert.equal(await page.getByRole('button', { name: 'Browse…' }).count(), 0, 'the preview has no folder picker');
    await typeInto(labelled(page, 'Folder'), folder);
    await typeInto(labelled(page, 'File names (optional)'), '{localIdentifier}/{consentedDate} {documentId}');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.getByTestId('store-result').getByText(`Wrote and removed a test file in ${folder}.`).waitFor();
    await ui.screenshot('wizard-4-folder');
    assert.equal(await page.locator('details.more[open]').count(), 0, 'More settings was never needed');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Ready to start' }).waitFor();
    await page.getByRole('button', { name: 'Start' }).click();
    await page
      .getByTestId('state')
      .getByText(/Connected to Demo/)
      .waitFor();

    const file = path.join(ui.dir, 'app', 'demo', 'connector.json');
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes(PASSWORD), 'the password is not written into connector.json');
    const written = JSON.parse(text);
    assert.deepEqual(written.patientLookup, {
      type: 'sql',
      driver: 'postgres',
      connection: {
        host: '127.0.0.1',
        port,
        database: 'postgres',
        user: 'postgres',
        password: { stored: 'patientLookup.connection.password' },
      },
      query: QUERY,
      columns: expectedColumns,
    });
    assert.deepEqual(written.consentStore, {
      type: 'folder',
      path: folder,
      fileNamePattern: '{localIdentifier}/{consentedDate} {documentId}',
    });
    const secretFile = path.join(ui.dir, 'app', 'demo', 'secrets', 'patientLookup.connection.password');
    assert.equal(readFileSync(secretFile, 'utf8').trim(), PASSWORD, 'kept in the secret store');
    assert.equal(statSync(secretFile).mode & 0o077, 0, 'readable only by its owner');

    // The saved set-up answers the platform: a lookup through the hub reaches PostgreSQL.
    const answer = await ui.fx.call('patient.lookup', { identificationNumber: 'h123456' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.result.patient.familyName.toLowerCase(), 'okonkwo');

    // Opened again, the form shows the saved set-up, the password only as "saved"; Start again
    // without retyping it writes the same connector.json and keeps the password.
    await page.getByRole('button', { name: 'Set up…' }).click();
    await page.getByRole('heading', { name: 'Which environment?' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Connection token' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Patient lookup' }).waitFor();
    assert.equal(await labelled(page, 'Server').inputValue(), '127.0.0.1');
    assert.equal(await page.locator('#patientLookup-columns-familyName').inputValue(), 'surname');
    const password = labelled(page, 'Password (optional)');
    assert.equal(await password.inputValue(), '', 'the saved password never comes back to the window');
    assert.match((await password.getAttribute('placeholder')) ?? '', /Saved/);
    await nextThrough(ui, 'Consent documents', 'Ready to start');
    await page.getByRole('button', { name: 'Start' }).click();
    await page
      .getByTestId('state')
      .getByText(/Connected to Demo/)
      .waitFor();
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), written, 'saved again unchanged');
    assert.equal(readFileSync(secretFile, 'utf8').trim(), PASSWORD);
  },
);

test(
  'SQLite: the column mapping offers its capitalised columns and maps its own gender codes',
  { timeout: 90_000 },
  async (t) => {
    const ui = await startUi(t);
    const { page } = ui;
    const file = path.join(ui.dir, 'patients.sqlite');
    const sqlite = new Database(file);
    sqlite.exec(`
    CREATE TABLE PATIENT (PAT_ID TEXT, NHS_NUMBER TEXT, FORENAME TEXT, SURNAME TEXT, DATE_OF_BIRTH TEXT, SEX TEXT, TEST_PATIENT TEXT);
    INSERT INTO PATIENT VALUES ('d555', '9434765919', 'ROBIN', 'FEATHERSTONE', '1988-03-02', '2', 'Y');
  `);
    sqlite.close();
    await toDatabaseForm(ui);
    await labelled(page, 'Database kind').selectOption('sqlite');
    assert.equal(await labelled(page, 'Server').count(), 0, 'no server for a file');
    await typeInto(labelled(page, 'Database file'), file);
    const query = 'SELECT * FROM PATIENT WHERE lower(PAT_ID) = :id OR NHS_NUMBER = :id';
    await typeInto(labelled(page, 'Query (:id is where the patient’s number goes)'), query);
    await typeInto(page.getByLabel('Test patient’s number'), 'D555');
    await page.getByRole('button', { name: 'Run with the test patient' }).click();
    await page.getByTestId('mapping-result').getByText('The query returned 7 columns.').waitFor();
    assert.equal(await page.locator('#patientLookup-columns-familyName').inputValue(), 'SURNAME');
    assert.equal(await page.locator('#patientLookup-columns-dateOfBirth').inputValue(), 'DATE_OF_BIRTH');
    assert.equal(await page.locator('#patientLookup-columns-isTestPatient').inputValue(), 'TEST_PATIENT');
    // "2" is not in the connector's own table: offered as the NHS Data Dictionary's female.
    assert.equal(await page.getByLabel('Gender code “2”').inputValue(), 'female');
    assert.ok(!(await page.locator('body').innerText()).includes('FEATHERSTONE'), 'no value of the row is shown');
    await page.getByRole('button', { name: 'Test lookup' }).click();
    await page.getByTestId('lookup-result').getByText('Found.').waitFor();
    await nextThrough(ui, 'Consent documents', 'Ready to start');
    await page.getByRole('button', { name: 'Start' }).click();
    await page
      .getByTestId('state')
      .getByText(/Connected to Demo/)
      .waitFor();
    const written = JSON.parse(readFileSync(path.join(ui.dir, 'app', 'demo', 'connector.json'), 'utf8'));
    assert.deepEqual(written.patientLookup, {
      type: 'sql',
      driver: 'sqlite',
      connection: { file },
      query,
      columns: {
        firstName: 'FORENAME',
        familyName: 'SURNAME',
        dateOfBirth: 'DATE_OF_BIRTH',
        gender: 'SEX',
        localIdentifier: 'PAT_ID',
        nationalIdentifier: 'NHS_NUMBER',
        isTestPatient: 'TEST_PATIENT',
      },
      genderMap: { '2': 'female' },
    });
  },
);

test(
  'SQL Server: the form writes what a person would write by hand, the password kept apart',
  { timeout: 90_000 },
  async (t) => {
    const ui = await startUi(t);
    const { page } = ui;
    await toDatabaseForm(ui);
    await labelled(page, 'Database kind').selectOption('mssql');
    await typeInto(labelled(page, 'Server'), 'PASSQL01');
    await typeInto(labelled(page, 'Instance name (optional)'), 'PAS');
    await typeInto(labelled(page, 'Database'), 'PatientAdmin');
    await typeInto(labelled(page, 'User name'), 'connector_ro');
    await typeInto(labelled(page, 'Password (optional)'), 'Sql-Server-Pw-12');
    assert.equal(await labelled(page, 'Encrypt the connection (TLS)').isChecked(), true, 'encrypted by default');
    const query =
      'SELECT HospitalNumber, Forename, Surname, DateOfBirth, Sex FROM dbo.Patient WHERE HospitalNumber = UPPER(:id)';
    await typeInto(labelled(page, 'Query (:id is where the patient’s number goes)'), query);
    // Without a database to run the query against, the column names can be typed.
    const typed: Array<[string, string]> = [
      ['First name', 'Forename'],
      ['Family name', 'Surname'],
      ['Date of birth', 'DateOfBirth'],
      ['Gender', 'Sex'],
      ['Hospital number', 'HospitalNumber'],
    ];
    for (const [label, column] of typed) await typeInto(labelled(page, label), column);
    await ui.screenshot('wizard-3-sqlserver');
    await nextThrough(ui, 'Consent documents', 'Ready to start');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByTestId('state').waitFor();
    const text = readFileSync(path.join(ui.dir, 'app', 'demo', 'connector.json'), 'utf8');
    assert.ok(!text.includes('Sql-Server-Pw-12'));
    assert.deepEqual(JSON.parse(text).patientLookup, {
      type: 'sql',
      driver: 'mssql',
      connection: {
        server: 'PASSQL01',
        instanceName: 'PAS',
        database: 'PatientAdmin',
        user: 'connector_ro',
        password: { stored: 'patientLookup.connection.password' },
      },
      query,
      columns: {
        firstName: 'Forename',
        familyName: 'Surname',
        dateOfBirth: 'DateOfBirth',
        gender: 'Sex',
        localIdentifier: 'HospitalNumber',
      },
    });
  },
);

test('the column query in words: a missing table, a closed port, and a name column never offered as gender codes', async () => {
  const config = (patch: Record<string, unknown>) => ({
    type: 'sql',
    driver: 'postgres',
    connection: { host: '127.0.0.1', port, database: 'postgres', user: 'postgres' },
    query: QUERY,
    ...patch,
  });
  const missing = await sqlColumns(config({ query: 'SELECT * FROM no_such_table WHERE x = :id' }), 'h1', {
    configDir: '.',
  });
  assert.equal(missing.outcome, 'failed');
  assert.match(missing.message, /a table named in the query does not exist \(error 42P01\)/);
  const closed = await sqlColumns(
    config({ connection: { host: '127.0.0.1', port: 1, database: 'x', user: 'x' } }),
    'h1',
    {
      configDir: '.',
    },
  );
  assert.match(closed.message, /nothing answers at this server and port/);
  const wrongColumn = await sqlColumns(config({}), 'h123456', { configDir: '.', genderColumn: 'surname' });
  assert.equal(wrongColumn.outcome, 'ok');
  assert.deepEqual(wrongColumn.genderValues, [], 'a surname is not offered as a code');
  for (const value of PERSONAL) assert.ok(!JSON.stringify(wrongColumn).includes(value));
});
