// Finding the current Patient for an identifier on a FHIR server, shared by the lookup source and
// the consent store: a token-escaped identifier search whose hits are re-checked for system and
// value, a page limit that reports "more", and `replaced-by` followed once, on our server only.
import type { Bundle, Patient as FhirPatient, PatientLink } from '@medplum/fhirtypes';
import { RpcError } from '../../../shared/protocol/index.js';
import type { Logger } from '../../core/logger.js';
import { type HttpSourceClient, parseJsonBody } from '../common/http-source-client.js';
import { normaliseIdentifier } from '../lookup-pipeline.js';
import { FHIR_JSON, fhirUrl } from './fhir-url.js';

/** Two distinct matches already make `ambiguous_match`; a few more cover merged duplicates. */
const PAGE_SIZE = 10;

export interface PatientSearch {
  /** Identifier systems a hit must carry the value under. */
  systems: string[];
  value: string;
  /** `token` (default) searches `system|value` per system; `value` the bare value, for servers without system search. */
  searchBy?: 'token' | 'value';
}

export interface PatientHits {
  /** Hits that carry the value under one of the systems (the server's answer re-checked). */
  patients: FhirPatient[];
  /** The server has more matches than one page (a `next` link): one patient cannot be chosen. */
  more: boolean;
}

export class FhirPatientFinder {
  constructor(
    private readonly client: HttpSourceClient,
    private readonly baseUrl: string,
    private readonly logger?: Logger,
  ) {}

  async search({ systems, value, searchBy }: PatientSearch, signal: AbortSignal): Promise<PatientHits> {
    const url = fhirUrl(this.baseUrl, 'Patient');
    const escaped = escapeToken(value);
    url.searchParams.set(
      'identifier',
      searchBy === 'value' ? escaped : systems.map((s) => `${s}|${escaped}`).join(','),
    );
    url.searchParams.set('_count', String(PAGE_SIZE));
    const bundle = (await this.getJson(url, signal)) as Bundle<FhirPatient> | null;
    if (bundle?.resourceType !== 'Bundle') {
      throw new RpcError('invalid_source_record', 'The answer from the data source is not a FHIR Bundle.');
    }
    const patients = (bundle.entry ?? [])
      .filter((e) => e.resource?.resourceType === 'Patient' && (e.search?.mode ?? 'match') === 'match')
      .map((e) => e.resource as FhirPatient)
      .filter((p) => carriesIdentifier(p, systems, value));
    return { patients, more: bundle.link?.some((l) => l.relation === 'next') ?? false };
  }

  /** The record to answer with: itself, or the record it was merged into (one hop), or none. */
  async currentRecord(resource: FhirPatient, signal: AbortSignal): Promise<FhirPatient | null> {
    const replacedBy = replacedByLink(resource);
    if (!replacedBy) return resource.active === false ? null : resource;
    const target = await this.readLinked(replacedBy, signal);
    if (!target || target.active === false || replacedByLink(target)) {
      this.logger?.info('FHIR patient merged into a record that is missing, inactive, merged again or elsewhere');
      return null;
    }
    return target;
  }

  /** Every distinct current record behind the hits (a merged record and its survivor count once). */
  async currentRecords(hits: FhirPatient[], signal: AbortSignal): Promise<FhirPatient[]> {
    const answers = new Map<string, FhirPatient>();
    for (const resource of hits) {
      const current = await this.currentRecord(resource, signal);
      if (current) answers.set(current.id ?? `#${answers.size}`, current);
    }
    return [...answers.values()];
  }

  private async readLinked(link: PatientLink, signal: AbortSignal): Promise<FhirPatient | null> {
    const id = linkedPatientId(link.other.reference ?? '', this.baseUrl);
    if (!id) return null;
    const resource = (await this.getJson(fhirUrl(this.baseUrl, `Patient/${id}`), signal, true)) as FhirPatient | null;
    return resource?.resourceType === 'Patient' && resource.id === id ? resource : null;
  }

  private async getJson(url: URL, signal: AbortSignal, notFoundIsNull = false): Promise<unknown> {
    const res = await this.client.send({ method: 'GET', url, headers: { accept: FHIR_JSON }, signal });
    if ((res.status === 404 || res.status === 410) && notFoundIsNull) return null;
    if (res.status < 200 || res.status >= 300) throw this.client.failFor(res);
    return parseJsonBody(res);
  }
}

/** The patient carries the value (compared as lookups normalise it) under one of the systems. */
export function carriesIdentifier(patient: FhirPatient, systems: string[], value: string): boolean {
  const wanted = normaliseIdentifier(value);
  return (patient.identifier ?? []).some(
    (i) =>
      i.system !== undefined &&
      systems.includes(i.system) &&
      typeof i.value === 'string' &&
      normaliseIdentifier(i.value) === wanted,
  );
}

export function replacedByLink(resource: FhirPatient): PatientLink | undefined {
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

/** FHIR token search escapes `\`, `|`, `,` and `$` in values (an unescaped `,` would mean OR). */
export function escapeToken(value: string): string {
  return value.replace(/[\\|,$]/g, (c) => `\\${c}`);
}
