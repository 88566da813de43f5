// `patientLookup: {"type":"fhir"}`: `GET [base]/Patient?identifier=…` against an R4 server.
// Retries with the upper-case value (many servers match identifiers case-sensitively while
// lookups arrive downcased), follows `replaced-by` once, and never answers with an inactive
// or replaced record.
import type { Bundle, Patient as FhirPatient, PatientLink } from '@medplum/fhirtypes';
import type { z } from 'zod';
import type { fhirLookupConfigSchema } from '../../../shared/config/sources.js';
import { RpcError } from '../../../shared/protocol/index.js';
import type { Logger } from '../../core/logger.js';
import { HttpSourceClient, parseJsonBody } from '../common/http-source-client.js';
import { normaliseIdentifier } from '../lookup-pipeline.js';
import type { CallOptions, PatientLookupSource, SourcePatient } from '../types.js';
import { type IdentifierSystems, identifierSystems, mapFhirPatient } from './fhir-patient-mapping.js';
import { FHIR_JSON, fhirUrl, pingFhirServer } from './fhir-url.js';

type FhirLookupConfig = z.infer<typeof fhirLookupConfigSchema>;

/** Two distinct matches already make `ambiguous_match`; a few more cover merged duplicates. */
const PAGE_SIZE = 10;

export class FhirPatientSource implements PatientLookupSource {
  readonly type = 'fhir';
  readonly genderMap;
  private readonly client: HttpSourceClient;
  private readonly systems: IdentifierSystems;
  /** The systems a lookup may match, per `match`. */
  private readonly matchSystems: string[];

  constructor(
    private readonly config: FhirLookupConfig,
    configDir: string,
    private readonly logger?: Logger,
  ) {
    this.genderMap = config.genderMap;
    this.client = new HttpSourceClient(config, configDir, 'patientLookup', logger);
    this.systems = identifierSystems(config.identifierSystems);
    const match = config.match ?? ['local', 'national'];
    this.matchSystems = [
      ...(match.includes('local') ? [this.systems.local] : []),
      ...(match.includes('national') ? this.systems.national : []),
    ];
  }

  async lookup(identifier: string, { signal }: CallOptions): Promise<SourcePatient[]> {
    let found = await this.search(identifier, signal);
    if (found.length === 0 && /[a-z]/.test(identifier)) {
      found = await this.search(identifier.toUpperCase(), signal);
    }
    const answers = new Map<string, FhirPatient>();
    for (const resource of found) {
      const current = await this.currentRecord(resource, signal);
      if (current) answers.set(current.id ?? `#${answers.size}`, current);
    }
    return [...answers.values()].map((p) => mapFhirPatient(p, this.systems));
  }

  ping({ signal }: CallOptions): Promise<boolean> {
    return pingFhirServer(this.client, this.config.baseUrl, signal);
  }

  async close(): Promise<void> {
    this.client.close();
  }

  /** Patients carrying the value under one of the matched systems (the server's answer is re-checked). */
  private async search(value: string, signal: AbortSignal): Promise<FhirPatient[]> {
    const url = fhirUrl(this.config.baseUrl, 'Patient');
    const token =
      this.config.searchBy === 'value' ? value : this.matchSystems.map((s) => `${s}|${escapeToken(value)}`).join(',');
    url.searchParams.set('identifier', token);
    url.searchParams.set('_count', String(PAGE_SIZE));
    const bundle = (await this.getJson(url, signal)) as Bundle<FhirPatient> | null;
    if (bundle?.resourceType !== 'Bundle') {
      throw new RpcError('invalid_source_record', 'The answer from the data source is not a FHIR Bundle.');
    }
    // More matches than one page: whatever the others are, one patient cannot be chosen.
    if (bundle.link?.some((l) => l.relation === 'next')) throw new RpcError('ambiguous_match');
    const wanted = normaliseIdentifier(value);
    return (bundle.entry ?? [])
      .filter((e) => e.resource?.resourceType === 'Patient' && (e.search?.mode ?? 'match') === 'match')
      .map((e) => e.resource as FhirPatient)
      .filter((p) =>
        (p.identifier ?? []).some(
          (i) =>
            i.system !== undefined &&
            this.matchSystems.includes(i.system) &&
            typeof i.value === 'string' &&
            normaliseIdentifier(i.value) === wanted,
        ),
      );
  }

  /** The record to answer with: itself, or the record it was merged into (one hop), or none. */
  private async currentRecord(resource: FhirPatient, signal: AbortSignal): Promise<FhirPatient | null> {
    const replacedBy = replacedByLink(resource);
    if (!replacedBy) return resource.active === false ? null : resource;
    const target = await this.readLinked(replacedBy, signal);
    if (!target || target.active === false || replacedByLink(target)) {
      this.logger?.info('FHIR patient merged into a record that is missing, inactive or merged again');
      return null;
    }
    return target;
  }

  private async readLinked(link: PatientLink, signal: AbortSignal): Promise<FhirPatient | null> {
    const id = linkedPatientId(link.other.reference ?? '', this.config.baseUrl);
    if (!id) return null;
    const resource = (await this.getJson(
      fhirUrl(this.config.baseUrl, `Patient/${id}`),
      signal,
      true,
    )) as FhirPatient | null;
    return resource?.resourceType === 'Patient' && resource.id === id ? resource : null;
  }

  private async getJson(url: URL, signal: AbortSignal, notFoundIsNull = false): Promise<unknown> {
    const res = await this.client.send({ method: 'GET', url, headers: { accept: FHIR_JSON }, signal });
    if ((res.status === 404 || res.status === 410) && notFoundIsNull) return null;
    if (res.status < 200 || res.status >= 300) throw this.client.failFor(res);
    return parseJsonBody(res);
  }
}

function replacedByLink(resource: FhirPatient): PatientLink | undefined {
  return resource.link?.find((l) => l.type === 'replaced-by');
}

const PATIENT_PATH = /^Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/**
 * The Patient id a link points at on OUR server: a relative `Patient/{id}`, or an absolute URL under
 * baseUrl. A reference to another server (`https://other/fhir/Patient/123`) names a different
 * record there; reading `Patient/123` here would be somebody else, so it is not followed.
 */
export function linkedPatientId(reference: string, baseUrl: string): string | null {
  let relative = reference;
  if (/^[a-z][a-z0-9+.-]*:/i.test(reference)) {
    let target: URL;
    try {
      target = new URL(reference);
    } catch {
      return null;
    }
    const base = fhirUrl(baseUrl, '');
    if (target.origin !== base.origin || target.search || target.hash || !target.pathname.startsWith(base.pathname)) {
      return null;
    }
    relative = target.pathname.slice(base.pathname.length);
  }
  const id = PATIENT_PATH.exec(relative)?.[1];
  // `.` and `..` are valid by FHIR's id pattern but would be path steps in the URL.
  return id && !/^\.+$/.test(id) ? id : null;
}

/** FHIR token search escapes `\`, `|`, `,` and `$` in values. */
function escapeToken(value: string): string {
  return value.replace(/[\\|,$]/g, (c) => `\\${c}`);
}
