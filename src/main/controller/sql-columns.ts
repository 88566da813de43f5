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
const MAX_CODE_LENGTH = 16;
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
    // Database messages can quote values (even the number typed); only a bare error code is shown.
    const code = (error as { code?: unknown }).code;
    const detail = typeof code === 'string' && /^[A-Z0-9_]{1,16}$/.test(code) ? ` (error ${code})` : '';
    return failed(`The query did not run. Check the server, database, user name, password and the query${detail}.`);
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
            .filter((v) => v.length <= MAX_CODE_LENGTH),
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
