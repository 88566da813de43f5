// Database (PostgreSQL, SQL Server, SQLite): where it is, how to sign in, the query, and which column
// holds each detail (filled from "Run with the test patient").
import { MAPPED_FIELDS } from '../../../shared/ipc/column-guess.js';
import type { FieldSpec, KindSpec } from './field-spec.js';

const pg = { key: 'driver', is: ['postgres'] };
const ms = { key: 'driver', is: ['mssql'] };
const server = { key: 'driver', is: ['postgres', 'mssql'] };

const COLUMN_EXAMPLES: Record<string, string> = {
  firstName: 'forename',
  familyName: 'surname',
  dateOfBirth: 'dob',
  gender: 'sex',
  localIdentifier: 'hospital_no',
  nationalIdentifier: 'nhs_no',
  title: 'title',
  middleNames: 'middle_names',
  email: 'email',
  mobile: 'mobile_tel',
  isTestPatient: 'test_patient',
};

export const SQL_FORM: KindSpec = {
  label: 'Database',
  sentence: 'Read patient details straight from a PostgreSQL, SQL Server or SQLite database.',
  testHint: 'e.g. a test patient’s hospital number',
  fields: [
    {
      key: 'driver',
      label: 'Database kind',
      placeholder: 'postgres',
      input: 'select',
      required: true,
      defaultValue: 'postgres',
      options: [
        { value: 'postgres', label: 'PostgreSQL' },
        { value: 'mssql', label: 'Microsoft SQL Server' },
        { value: 'sqlite', label: 'SQLite file' },
      ],
    },
    {
      key: 'connection.host',
      label: 'Server',
      placeholder: 'pas-db.example-hospital.local',
      required: true,
      when: pg,
    },
    { key: 'connection.server', label: 'Server', placeholder: 'PASSQL01', required: true, when: ms },
    {
      key: 'connection.instanceName',
      label: 'Instance name',
      placeholder: 'PAS',
      hint: 'Only for a named instance (SERVER\\INSTANCE).',
      when: ms,
    },
    {
      key: 'connection.port',
      label: 'Port',
      placeholder: '5432',
      input: 'number',
      hint: 'Leave empty for the usual port (PostgreSQL 5432, SQL Server 1433).',
      when: server,
    },
    { key: 'connection.database', label: 'Database', placeholder: 'pas', required: true, when: server },
    { key: 'connection.user', label: 'User name', placeholder: 'connector_ro', required: true, when: server },
    {
      key: 'connection.password',
      label: 'Password',
      placeholder: '',
      input: 'secret',
      hint: 'Use an account that can only read.',
      when: server,
    },
    {
      key: 'connection.domain',
      label: 'Windows domain',
      placeholder: 'EXAMPLE-TRUST',
      hint: 'Only to sign in with a Windows account.',
      when: ms,
    },
    {
      key: 'connection.ssl',
      label: 'Encrypt the connection (TLS)',
      placeholder: '',
      input: 'checkbox',
      defaultValue: 'false',
      omitWhen: 'false',
      hint: 'Needed unless the database is on this computer or a trusted network.',
      when: pg,
    },
    {
      key: 'connection.ssl.caFile',
      label: 'Certificate file of the database server',
      placeholder: 'C:\\Certificates\\pas-db-ca.pem',
      input: 'certificate',
      hint: 'Only if its certificate is signed by your organisation’s own authority.',
      when: { key: 'connection.ssl', is: ['true'] },
    },
    {
      key: 'connection.encrypt',
      label: 'Encrypt the connection (TLS)',
      placeholder: '',
      input: 'checkbox',
      defaultValue: 'true',
      omitWhen: 'true',
      when: ms,
    },
    {
      key: 'connection.trustServerCertificate',
      label: 'Accept the server’s own certificate',
      placeholder: '',
      input: 'checkbox',
      defaultValue: 'false',
      omitWhen: 'false',
      hint: 'Only on a trusted network, when your IT team says the server has no proper certificate.',
      when: ms,
    },
    {
      key: 'connection.file',
      label: 'Database file',
      placeholder: 'C:\\PAS\\export\\patients.sqlite',
      required: true,
      when: { key: 'driver', is: ['sqlite'] },
    },
    {
      key: 'query',
      label: 'Query (:id is where the patient’s number goes)',
      placeholder: 'SELECT * FROM patient WHERE lower(hospital_no) = :id OR nhs_no = :id',
      input: 'textarea',
      required: true,
      hint: 'The number arrives in lower case without spaces: write lower(column) = :id if the column holds capitals.',
    },
    ...MAPPED_FIELDS.map(
      ([field, label, required]): FieldSpec => ({
        key: `columns.${field}`,
        label,
        placeholder: COLUMN_EXAMPLES[field] ?? '',
        input: 'column',
        required,
        group: 'mapping',
      }),
    ),
  ],
};
