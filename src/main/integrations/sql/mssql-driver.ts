// Microsoft SQL Server through `mssql` (tedious). `useUTC: true` is set explicitly: DATE values
// then arrive as UTC midnight and are read back in UTC (record-mapping.ts), so no PC time zone
// can move a date of birth. Abort cancels the running request (a TDS attention signal).
import type sql from 'mssql';
import type { z } from 'zod';
import type { mssqlConnectionSchema } from '../../../shared/config/sources.js';
import { readSecret } from '../common/secret.js';
import { raceAbort, throwIfAborted } from '../common/source-error.js';
import { compileQuery } from './named-params.js';
import type { SqlDriver, SqlRow } from './sql-driver.js';

type MssqlConnection = z.infer<typeof mssqlConnectionSchema>;

/** The pool configuration; exported so that its safety-relevant settings are unit-tested. */
export function mssqlPoolConfig(connection: MssqlConnection, password: string | undefined): sql.config {
  return {
    server: connection.server,
    port: connection.instanceName ? undefined : (connection.port ?? 1433),
    database: connection.database,
    user: connection.user,
    password,
    domain: connection.domain,
    connectionTimeout: connection.connectTimeoutMs ?? 5_000,
    // The connector's deadline governs; this is only a backstop for a request nobody aborts.
    requestTimeout: 120_000,
    pool: { max: connection.poolSize ?? 4, min: 0, idleTimeoutMillis: 30_000 },
    options: {
      encrypt: connection.encrypt ?? true,
      trustServerCertificate: connection.trustServerCertificate ?? false,
      // tedious sets rejectUnauthorized from trustServerCertificate itself; the floor is ours.
      cryptoCredentialsDetails: { minVersion: 'TLSv1.2' },
      instanceName: connection.instanceName,
      useUTC: true,
      appName: 'cloud-connector',
    },
  };
}

// Loaded on first use: the mssql driver (tedious) costs tens of MB that most sites never need.
let mssqlModule: Promise<typeof sql> | null = null;
const loadMssql = () => {
  mssqlModule ??= import('mssql').then((m) => m.default);
  return mssqlModule;
};

export class MssqlDriver implements SqlDriver {
  private pool: sql.ConnectionPool | null = null;
  private readonly poolConfig: sql.config;
  private readonly text: string;
  private connecting: Promise<sql.ConnectionPool> | null = null;

  constructor(connection: MssqlConnection, query: string, configDir: string) {
    this.text = compileQuery(query, 'mssql');
    const password = connection.password
      ? readSecret(connection.password, configDir, 'patientLookup.connection.password')
      : undefined;
    this.poolConfig = mssqlPoolConfig(connection, password);
  }

  async query(id: string, signal: AbortSignal): Promise<SqlRow[]> {
    const pool = await this.connected(signal);
    const driver = await loadMssql();
    const request = pool.request();
    request.input('id', driver.NVarChar(64), id);
    const onAbort = () => request.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await raceAbort(request.query(this.text), signal);
      return result.recordset as SqlRow[];
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async ping(signal: AbortSignal): Promise<boolean> {
    const pool = await this.connected(signal);
    await raceAbort(pool.request().query('SELECT 1 AS ok'), signal);
    return true;
  }

  async close(): Promise<void> {
    await this.pool?.close().catch(() => {});
  }

  /** Connects once; a failed attempt is forgotten so that the next call tries again. */
  private connected(signal: AbortSignal): Promise<sql.ConnectionPool> {
    throwIfAborted(signal);
    if (this.pool?.connected) return Promise.resolve(this.pool);
    this.connecting ??= loadMssql()
      .then((driver) => {
        if (!this.pool) {
          this.pool = new driver.ConnectionPool(this.poolConfig);
          this.pool.on('error', () => {});
        }
        return this.pool.connect();
      })
      .catch((error: unknown) => {
        this.connecting = null;
        throw error;
      });
    return raceAbort(this.connecting, signal);
  }
}
