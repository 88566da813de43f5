// `patientLookup: {"type":"sql"}`: one parameterised query, its columns mapped to result fields.
import type { SqlLookupConfig } from '../../../shared/config/sources.js';
import type { Logger } from '../../core/logger.js';
import { mapRecord, type PatientField } from '../common/record-mapping.js';
import { toSourceError } from '../common/source-error.js';
import type { CallOptions, PatientLookupSource, SourcePatient } from '../types.js';
import { MssqlDriver } from './mssql-driver.js';
import { PostgresDriver } from './postgres-driver.js';
import type { SqlDriver, SqlRow } from './sql-driver.js';
import { SqliteDriver } from './sqlite-driver.js';

export function createSqlDriver(config: SqlLookupConfig, configDir: string): SqlDriver {
  switch (config.driver) {
    case 'postgres':
      return new PostgresDriver(config.connection, config.query, configDir);
    case 'mssql':
      return new MssqlDriver(config.connection, config.query, configDir);
    case 'sqlite':
      return new SqliteDriver(config.connection, config.query, configDir);
  }
}

export class SqlPatientSource implements PatientLookupSource {
  readonly type = 'sql';
  readonly genderMap;
  readonly driver: SqlDriver;

  constructor(
    private readonly config: SqlLookupConfig,
    configDir: string,
    private readonly logger?: Logger,
  ) {
    this.genderMap = config.genderMap;
    this.driver = createSqlDriver(config, configDir);
  }

  async lookup(identifier: string, { signal }: CallOptions): Promise<SourcePatient[]> {
    let rows: SqlRow[];
    try {
      rows = await this.driver.query(identifier, signal);
    } catch (error) {
      throw toSourceError(error, signal, this.logger, `patientLookup ${this.config.driver}`);
    }
    return rows.map((row) => this.mapRow(row));
  }

  async ping({ signal }: CallOptions): Promise<boolean> {
    try {
      return await this.driver.ping(signal);
    } catch (error) {
      throw toSourceError(error, signal, this.logger, `patientLookup ${this.config.driver}`);
    }
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  private mapRow(row: SqlRow): SourcePatient {
    // Column names match case-insensitively: PostgreSQL folds unquoted names to lower case.
    const byLowerName = new Map(Object.keys(row).map((k) => [k.toLowerCase(), k]));
    return mapRecord((field: PatientField) => {
      const column = this.config.columns[field];
      if (column === undefined) return undefined;
      const key = column in row ? column : byLowerName.get(column.toLowerCase());
      return key === undefined ? undefined : row[key];
    });
  }
}
