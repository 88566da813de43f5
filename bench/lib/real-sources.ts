// The real data sources of the lookup benchmarks, each its own process on loopback, with a hub
// and a connector configured for it, and the two ways of making one lookup:
//   fhir      a FHIR R4 server (Medplum's router and in-memory repository behind node:http);
//             direct = the same `GET [base]/Patient?identifier=…&_count=10` the connector sends,
//             made with a keep-alive node:http client from the benchmark process (http-get.ts);
//   postgres  PostgreSQL (PGlite behind pglite-socket, the wire protocol over TCP); direct = the
//             same SQL text with the same bound value through `pg`, with the same pool size.
// Whole path = HTTP → hub process → connector process configured with that source → the server.
// Before measuring, each set-up checks that both sides really make the same request to the
// source, one per lookup, and get the patient asked for; a harness that compared different work
// would be worse than none. Used by lookup-sources.ts (closed loop) and open-loop.ts.

import pg from 'pg';
import { compileQuery } from '../../src/main/integrations/sql/named-params.js';
import { typeParsers } from '../../src/main/integrations/sql/postgres-driver.js';
import { OLD_NHS_NUMBER_SYSTEM } from '../../src/shared/config/sources.js';
import type { ConnectorProcess } from '../../test/helpers/processes.js';
import { startChildServer } from './child-server.js';
import { type Cluster, type ConnectorSpec, reasonOf, startCluster } from './cluster.js';
import type { BenchContext } from './context.js';
import { httpGetter } from './http-get.js';
import type { Scope } from './scope.js';
import { BENCH_LOCAL_SYSTEM, BENCH_NHS_SYSTEM, benchIdentifiers } from './source-patients.js';

export const PATIENTS = 1000;
/** The connector's default PostgreSQL pool size, set explicitly so that the direct pool matches it. */
const PG_POOL_SIZE = 4;
const PG_QUERY = 'SELECT * FROM pas_patient WHERE lower(hospital_no) = :id';

export interface SourceLookups {
  cluster: Cluster;
  connector: ConnectorProcess;
  /** One lookup straight at the source from the benchmark process; null when it found the patient. */
  directCall: (i: number) => Promise<string | null>;
  /** The same lookup through the hub and the connector. */
  wholeCall: (i: number) => Promise<string | null>;
  about: { source: string; request: string; direct: string };
}

/** Extra connector settings (a probe module, an audit file) on top of the source's own. */
export type ConnectorExtras = Omit<ConnectorSpec, 'name'>;

export async function startFhirLookups(
  scope: Scope,
  ctx: BenchContext,
  extras: ConnectorExtras = {},
): Promise<SourceLookups> {
  {
    const t0 = performance.now();
    // The source and the hub start side by side; the connector once the source's port is known.
    const [server, cluster] = await Promise.all([
      startChildServer(scope, 'bench/lib/fhir-source-server.ts', [String(PATIENTS)]),
      startCluster(scope, { runner: ctx.runner, connectors: [] }),
    ]);
    const origin = `http://127.0.0.1:${server.port}`;
    const baseUrl = `${origin}/fhir`;
    const connector = await cluster.addConnector({
      ...extras,
      name: 'bench-fhir',
      config: {
        ...extras.config,
        patientLookup: { type: 'fhir', baseUrl, identifierSystems: { local: BENCH_LOCAL_SYSTEM } },
      },
    });
    const ids = benchIdentifiers(PATIENTS);
    // What the connector sends with the default `match` (local and national; the national
    // identifier under both NHS number systems): one token search with the three systems OR-ed.
    const systems = [BENCH_LOCAL_SYSTEM, BENCH_NHS_SYSTEM, OLD_NHS_NUMBER_SYSTEM];
    const searchUrl = (id: string) => {
      const url = new URL(`${baseUrl}/Patient`);
      url.searchParams.set('identifier', systems.map((s) => `${s}|${id}`).join(','));
      url.searchParams.set('_count', '10');
      return url;
    };
    const http = httpGetter(64);
    scope.after(() => http.close());
    const directCall = async (i: number) => {
      const id = ids[i % ids.length] as string;
      const res = await http.get(searchUrl(id), { accept: 'application/fhir+json' });
      if (res.status !== 200) return `HTTP ${res.status}`;
      const bundle = JSON.parse(res.body) as { entry?: Array<{ resource?: FhirPatientLike }> };
      const patients = (bundle.entry ?? []).filter((e) => e.resource?.resourceType === 'Patient');
      if (patients.length !== 1) return `${patients.length} patients`;
      const local = patients[0]?.resource?.identifier?.find((x) => x.system === BENCH_LOCAL_SYSTEM)?.value;
      return local === id.toUpperCase() ? null : 'another patient';
    };
    const wholeCall = (i: number) => lookupExpecting(cluster, ids[i % ids.length] as string);

    // The same search, one request per lookup, from both sides.
    const stats = async () => JSON.parse((await http.get(new URL(`${origin}/bench/stats`))).body) as FhirStats;
    const checks = 10;
    const s0 = await stats();
    await expectAllAnswered('whole path', checks, wholeCall);
    const s1 = await stats();
    await expectAllAnswered('direct', checks, directCall);
    const s2 = await stats();
    const last = searchUrl(ids[checks - 1] as string);
    if (s1.searches - s0.searches !== checks || s2.searches - s1.searches !== checks) {
      throw new Error(
        `expected one FHIR request per lookup; the connector made ${s1.searches - s0.searches} and the direct client ${s2.searches - s1.searches} for ${checks} lookups`,
      );
    }
    if (s1.lastSearch !== last.pathname + last.search || s2.lastSearch !== s1.lastSearch) {
      throw new Error(
        `the connector searched ${s1.lastSearch}, the direct client ${s2.lastSearch}: not the same request`,
      );
    }
    ctx.log(`  fhir: server, hub and connector up, same search checked (${seconds(t0)} s)`);
    return {
      cluster,
      connector,
      directCall,
      wholeCall,
      about: {
        source: `FHIR R4 server (Medplum router and in-memory repository with an identifier index, bench/lib/indexed-fhir-repository.ts; node:http; own process), ${PATIENTS} Patients`,
        request: `GET ${decodeURIComponent(searchUrl('{id}').pathname + searchUrl('{id}').search)}`,
        direct: 'keep-alive node:http GET from the benchmark process (up to 64 sockets; the connector uses up to 32)',
      },
    };
  }
}

export async function startPostgresLookups(
  scope: Scope,
  ctx: BenchContext,
  extras: ConnectorExtras = {},
): Promise<SourceLookups> {
  {
    const t0 = performance.now();
    // Room for both pools and the CancelRequest connections an aborted query would open.
    const [server, cluster] = await Promise.all([
      startChildServer(scope, 'bench/lib/pg-source-server.ts', [String(PATIENTS), String(PG_POOL_SIZE * 4)]),
      startCluster(scope, { runner: ctx.runner, connectors: [] }),
    ]);
    const connection = { host: '127.0.0.1', port: server.port, database: 'postgres', user: 'postgres' };
    const connector = await cluster.addConnector({
      ...extras,
      name: 'bench-postgres',
      config: {
        ...extras.config,
        patientLookup: {
          type: 'sql',
          driver: 'postgres',
          connection: { ...connection, poolSize: PG_POOL_SIZE },
          query: PG_QUERY,
          columns: {
            title: 'TITLE',
            firstName: 'FORENAME',
            familyName: 'SURNAME',
            dateOfBirth: 'DOB',
            gender: 'SEX',
            localIdentifier: 'HOSPITAL_NO',
            nationalIdentifier: 'NHS_NO',
            mobile: 'MOBILE_TEL',
            isTestPatient: 'TEST_FLAG',
          },
        },
      },
    });
    const pool = new pg.Pool({
      ...connection,
      max: PG_POOL_SIZE,
      // Date columns as text, exactly as the connector's driver reads them.
      types: typeParsers(pg),
    });
    pool.on('error', () => {});
    scope.after(() => pool.end());
    // The exact text the connector's driver sends (`:id` → `$1`), the identifier bound as $1.
    const text = compileQuery(PG_QUERY, 'postgres');
    const ids = benchIdentifiers(PATIENTS);
    const directCall = async (i: number) => {
      const id = ids[i % ids.length] as string;
      const { rows } = await pool.query<{ hospital_no: string }>({ text, values: [id] });
      if (rows.length !== 1) return `${rows.length} rows`;
      return rows[0]?.hospital_no === id.toUpperCase() ? null : 'another patient';
    };
    const wholeCall = (i: number) => lookupExpecting(cluster, ids[i % ids.length] as string);
    await expectAllAnswered('whole path', 10, wholeCall);
    await expectAllAnswered('direct', 10, directCall);
    ctx.log(`  postgres: server, hub and connector up, both sides answered (${seconds(t0)} s)`);
    return {
      cluster,
      connector,
      directCall,
      wholeCall,
      about: {
        source: `PostgreSQL (PGlite behind pglite-socket; own process), ${PATIENTS} rows, index on lower(hospital_no)`,
        request: text,
        direct: `pg Pool (max ${PG_POOL_SIZE}, the connector's poolSize) from the benchmark process`,
      },
    };
  }
}

interface FhirStats {
  searches: number;
  lastSearch: string;
}

interface FhirPatientLike {
  resourceType?: string;
  identifier?: Array<{ system?: string; value?: string }>;
}

/** A lookup through the hub that must answer the patient asked for; null when it did. */
async function lookupExpecting(cluster: Cluster, id: string): Promise<string | null> {
  const res = await cluster.client.call('patient.lookup', { identificationNumber: id });
  if (res.status !== 200) return `HTTP ${res.status} ${reasonOf(res.body)}`;
  return res.body.includes(`"localIdentifier":"${id.toUpperCase()}"`) ? null : 'not the patient asked for';
}

async function expectAllAnswered(side: string, count: number, call: (i: number) => Promise<string | null>) {
  for (let i = 0; i < count; i++) {
    const failure = await call(i);
    if (failure !== null) throw new Error(`${side} lookup ${i} failed before measuring: ${failure}`);
  }
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 100) / 10;
}
