// The wizard's "Run with the test patient" for a database source: runs the person's query for the
// number they typed, against the real database, and answers only the column NAMES (and the short
// codes found in the gender column, to map them). No other value of the row leaves this function.
import { sqlLookupConfigSchema } from '../../shared/config/sources.js';
import type { SqlColumnsResult } from '../../shared/ipc/channels.js';
import { guessColumns } from '../../shared/ipc/column-guess.js';
import { ConfigError } from '../config/config-error.js';
import { describeConfigIssues } from '../config/load-config.js';
import { mapGender, normaliseIdentifier } from '../integrations/lookup-pipeline.js';
import type { SqlDriver, SqlRow } from '../integrations/sql/sql-driver.js';
import { createSqlDriver } from '../integrations/sql/sql-patient-source.js';
import { configErrorWords } from './setup-config.js';

/** Stands in for the mapping while the query runs: the columns are what we are asking for. */
const ANY_COLUMNS = { firstName: '-', familyName: '-', dateOfBirth: '-', gender: '-', localIdentifier: '-' };
/**
 * Longest value offered as a gender code. Codes are one to three characters (1/2/9, M/F/U, X); a
 * longer value is offered only when the connector's own table knows it (male, female …), so that a
 * wrongly chosen column (a name) never puts a person's details on screen.
 */
const MAX_CODE_LENGTH = 3;

/** What the person can do about the usual failures, by driver error code. */
const CODE_WORDS: Record<string, string> = {
  ECONNREFUSED:
    'nothing answers at this server and port. Check both, and that the database allows connections from this computer',
  ENOTFOUND: 'the server name is not known. Check its spelling, or use its IP address',
  ETIMEDOUT: 'the server did not answer in time. Check the server name and port, and any firewall in between',
  '28P01': 'the user name or password was not accepted',
  '28000': 'this user may not sign in from this computer',
  '3D000': 'there is no database of this name on the server',
  '42P01': 'a table named in the query does not exist',
  '42703': 'a column named in the query does not exist',
  '42601': 'the query is not valid SQL',
  ELOGIN: 'the user name or password was not accepted',
  SQLITE_CANTOPEN: 'the database file cannot be opened. Check the path',
};
const MAX_CODES = 12;

export async function sqlColumns(
  input: Record<string, unknown>,
  identifier: string,
  options: { configDir: string; genderColumn?: string | undefined; timeoutMs?: number },
): Promise<SqlColumnsResult> {
  const failed = (message: string): SqlColumnsResult => ({ outcome: 'failed', message, columns: [], genderValues: [] });
  const parsed = sqlLookupConfigSchema.safeParse({ ...input, columns: ANY_COLUMNS });
  if (!parsed.success) {
    const words = configErrorWords(new ConfigError(describeConfigIssues(parsed.error))).message;
    return failed(`Check the form: patientLookup.${words}`);
  }
  let driver: SqlDriver;
  try {
    driver = createSqlDriver(parsed.data, options.configDir);
  } catch (error) {
    return failed(
      error instanceof ConfigError
        ? configErrorWords(error).message
        : 'The database settings cannot be used. Check them, or ask your IT team.',
    );
  }
  let rows: SqlRow[];
  try {
    rows = await driver.query(normaliseIdentifier(identifier), AbortSignal.timeout(options.timeoutMs ?? 15_000));
  } catch (error) {
    // Database messages can quote values (even the number typed): only the error code is read.
    const code = (error as { code?: unknown }).code;
    const known = typeof code === 'string' ? CODE_WORDS[code] : undefined;
    const detail = typeof code === 'string' && /^[A-Z0-9_]{1,16}$/.test(code) ? ` (error ${code})` : '';
    return failed(
      known
        ? `The query did not run: ${known}${detail}.`
        : `The query did not run. Check the server, database, user name, password and the query${detail}.`,
    );
  } finally {
    await driver.close().catch(() => undefined);
  }
  if (rows.length === 0) {
    return {
      outcome: 'not_found',
      message: 'The query found no row for this number. Try the number of a test patient who is in the database.',
      columns: [],
      genderValues: [],
    };
  }
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const wanted = options.genderColumn ?? guessColumns(columns).gender;
  const genderColumn = columns.find((c) => c.toLowerCase() === wanted?.toLowerCase());
  const genderValues = genderColumn
    ? [
        ...new Set(
          rows
            .map((r) => r[genderColumn])
            .map((v) => (v === null || v === undefined ? '' : String(v).trim()))
            .filter((v) => v.length <= MAX_CODE_LENGTH || mapGender(v) !== null),
        ),
      ]
        .slice(0, MAX_CODES)
        .map((code) => ({ code, builtIn: mapGender(code) }))
    : [];
  return {
    outcome: 'ok',
    message: `The query returned ${columns.length} columns. Choose which one holds each detail.`,
    columns,
    genderValues,
  };
}
