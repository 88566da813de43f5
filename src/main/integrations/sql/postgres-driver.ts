// PostgreSQL through `pg`'s pool. DATE and TIMESTAMP values come back as the text the server
// sent (no JavaScript Date, so no time-zone shift). Abort sends the server a CancelRequest for
// the running query and destroys the connection, so queued or running work stops there too.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type pg from 'pg';
import type { z } from 'zod';
import type { postgresConnectionSchema } from '../../../shared/config/sources.js';
import { ConfigError } from '../../config/config-error.js';
import { readSecret } from '../common/secret.js';
import { raceAbort, throwIfAborted } from '../common/source-error.js';
import { compileQuery } from './named-params.js';
import type { SqlDriver, SqlRow } from './sql-driver.js';

type PostgresConnection = z.infer<typeof postgresConnectionSchema>;

/** DATE, TIMESTAMP, TIMESTAMPTZ: keep the server's text. */
const TEXT_TYPES = new Set([1082, 1114, 1184]);

// Loaded on first use, so a connector that never talks to PostgreSQL does not carry the driver.
let pgModule: Promise<typeof pg> | null = null;
const loadPg = () => {
  pgModule ??= import('pg').then((m) => m.default);
  return pgModule;
};

/** The type parsers the connector's pool uses (exported so the benchmark's direct pool reads alike). */
export function typeParsers(driver: typeof pg) {
  return {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      TEXT_TYPES.has(oid) ? (value: string) => value : driver.types.getTypeParser(oid, format as 'text'),
  };
}

interface BackendKey {
  processID: number | null;
  secretKey: number | null;
}

export class PostgresDriver implements SqlDriver {
  private pool: Promise<pg.Pool> | null = null;
  private readonly poolConfig: pg.PoolConfig;
  private readonly text: string;

  constructor(
    private readonly connection: PostgresConnection,
    query: string,
    configDir: string,
  ) {
    this.text = compileQuery(query, 'postgres');
    const password = connection.password
      ? readSecret(connection.password, configDir, 'patientLookup.connection.password')
      : undefined;
    // Settings are checked now (bad query, unreadable secret or CA file fail at start-up);
    // the pool itself is made on first use.
    this.poolConfig = {
      host: connection.host,
      port: connection.port ?? 5432,
      database: connection.database,
      user: connection.user,
      password,
      ssl: sslOptions(connection.ssl, configDir),
      max: connection.poolSize ?? 4,
      connectionTimeoutMillis: connection.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
      application_name: 'cloud-connector',
    };
  }

  private getPool(): Promise<pg.Pool> {
    this.pool ??= loadPg().then((driver) => {
      const pool = new driver.Pool({ ...this.poolConfig, types: typeParsers(driver) });
      // An idle connection dropped by the server must not crash the process; the next query reconnects.
      pool.on('error', () => {});
      return pool;
    });
    return this.pool;
  }

  async query(id: string, signal: AbortSignal): Promise<SqlRow[]> {
    const client = await this.connect(signal);
    let destroyed = false;
    const onAbort = () => {
      destroyed = true;
      this.cancelBackend(client as unknown as BackendKey);
      client.release(true);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await raceAbort(client.query({ text: this.text, values: [id] }), signal);
      return result.rows as SqlRow[];
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (!destroyed) client.release();
    }
  }

  async ping(signal: AbortSignal): Promise<boolean> {
    const client = await this.connect(signal);
    try {
      await raceAbort(client.query('SELECT 1'), signal);
      return true;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.pool) await (await this.pool).end();
  }

  /** A pooled connection; one that arrives after the caller gave up goes straight back. */
  private async connect(signal: AbortSignal): Promise<pg.PoolClient> {
    throwIfAborted(signal);
    const pool = await this.getPool();
    const pending = pool.connect();
    try {
      return await raceAbort(pending, signal);
    } catch (error) {
      if (signal.aborted)
        pending.then(
          (c) => c.release(),
          () => {},
        );
      throw error;
    }
  }

  /** PostgreSQL's CancelRequest: a separate connection carrying the backend's key. */
  private cancelBackend(key: BackendKey): void {
    if (key.processID === null || key.secretKey === null) return;
    const packet = Buffer.alloc(16);
    packet.writeInt32BE(16, 0);
    packet.writeInt32BE(80877102, 4);
    packet.writeInt32BE(key.processID, 8);
    packet.writeInt32BE(key.secretKey, 12);
    const socket = net.connect(this.connection.port ?? 5432, this.connection.host);
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('error', () => {});
    socket.on('connect', () => socket.end(packet));
  }
}

function sslOptions(ssl: PostgresConnection['ssl'], configDir: string): pg.PoolConfig['ssl'] {
  if (!ssl) return false;
  // Both explicit, so that NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment changes nothing.
  if (ssl === true) return { rejectUnauthorized: true, minVersion: 'TLSv1.2' };
  const file = path.resolve(configDir, ssl.caFile);
  try {
    return { rejectUnauthorized: true, minVersion: 'TLSv1.2', ca: readFileSync(file, 'utf8') };
  } catch (error) {
    throw new ConfigError(
      `patientLookup.connection.ssl.caFile: the file ${file} cannot be read (${(error as NodeJS.ErrnoException).code}).`,
    );
  }
}
