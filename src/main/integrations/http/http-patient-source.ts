// `patientLookup: {"type":"http"}`: a JSON API. `{id}` in the URL is the URL-encoded identifier;
// response paths map to result fields; configured statuses mean "no such patient". Only records
// that carry the asked-for identifier are answered: an API that ignores or loosely matches `{id}`
// must not turn into a wrong-patient answer.
import type { z } from 'zod';
import type { httpLookupConfigSchema } from '../../../shared/config/sources.js';
import { RpcError } from '../../../shared/protocol/index.js';
import type { Logger } from '../../core/logger.js';
import { HttpSourceClient, parseJsonBody } from '../common/http-source-client.js';
import { readJsonPath } from '../common/json-path.js';
import { mapRecord } from '../common/record-mapping.js';
import { normaliseIdentifier } from '../lookup-pipeline.js';
import type { CallOptions, PatientLookupSource, SourcePatient } from '../types.js';

type HttpLookupConfig = z.infer<typeof httpLookupConfigSchema>;

export class HttpPatientSource implements PatientLookupSource {
  readonly type = 'http';
  readonly genderMap;
  private readonly client: HttpSourceClient;

  constructor(
    private readonly config: HttpLookupConfig,
    configDir: string,
    logger?: Logger,
  ) {
    this.genderMap = config.genderMap;
    this.client = new HttpSourceClient(config, configDir, 'patientLookup', logger);
  }

  async lookup(identifier: string, { signal }: CallOptions): Promise<SourcePatient[]> {
    // "." and ".." survive encodeURIComponent (and %2E is decoded back), so `new URL` would
    // resolve them as path steps: `/patients/..` is the collection or its parent, never a patient.
    if (/^\.{1,2}$/.test(identifier)) return [];
    const method = this.config.method ?? 'GET';
    const url = new URL(this.config.url.replaceAll('{id}', encodeURIComponent(identifier)));
    const body =
      method === 'POST' && this.config.body !== undefined
        ? this.config.body.replaceAll('{id}', JSON.stringify(identifier).slice(1, -1))
        : undefined;
    const res = await this.client.send({
      method,
      url,
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body,
      signal,
    });
    if ((this.config.notFoundStatus ?? [404]).includes(res.status)) return [];
    if (res.status < 200 || res.status >= 300) throw this.client.failFor(res);
    const found = readJsonPath(parseJsonBody(res), this.config.recordsPath ?? '$');
    if (found === undefined || found === null) return [];
    const records = Array.isArray(found) ? found : [found];
    const wanted = normaliseIdentifier(identifier);
    return records
      .map((record) => {
        if (record === null || typeof record !== 'object' || Array.isArray(record)) {
          throw new RpcError('invalid_source_record', 'The record from the data source is not a JSON object.');
        }
        return mapRecord((field) => {
          const at = this.config.fields[field];
          return at === undefined ? undefined : readJsonPath(record, at);
        });
      })
      .filter((patient) => carriesIdentifier(patient, wanted));
  }

  /** Any HTTP answer from the API's host counts as reachable; there is no standard health path. */
  async ping({ signal }: CallOptions): Promise<boolean> {
    const url = new URL(this.config.url.replaceAll('{id}', ''));
    await this.client.send({ method: 'HEAD', url: new URL('/', url), signal });
    return true;
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

/** The record's local or national identifier is the one asked for (compared as the pipeline normalises). */
function carriesIdentifier(patient: SourcePatient, wanted: string): boolean {
  const local: unknown = patient.localIdentifier;
  const national: unknown = patient.nationalIdentifier;
  if (typeof local === 'string' && normaliseIdentifier(local) === wanted) return true;
  // NHS numbers are written with spaces or dashes (485 777 3454); the pipeline strips both.
  return typeof national === 'string' && normaliseIdentifier(national).replace(/-/g, '') === wanted.replace(/-/g, '');
}
