// `consentStore: {"type":"fhir"}`: one transaction Bundle with a Binary (the PDF) and a
// DocumentReference pointing at it. masterIdentifier = the documentId; a conditional create on it
// makes a repeated call write nothing, and a search first avoids even an orphan Binary.
import { createHash, randomUUID } from 'node:crypto';
import type { Bundle, DocumentReference, Patient, Reference } from '@medplum/fhirtypes';
import type { z } from 'zod';
import type { fhirStoreConfigSchema } from '../../../shared/config/sources.js';
import { type ConsentStoreResult, RpcError } from '../../../shared/protocol/index.js';
import type { Logger } from '../../core/logger.js';
import { jsonWithBase64 } from '../common/body-parts.js';
import { HttpSourceClient, parseJsonBody } from '../common/http-source-client.js';
import { PerDocumentQueue } from '../common/per-document-queue.js';
import type { CallOptions, ConsentDocument, ConsentStore } from '../types.js';
import { FhirPatientFinder } from './fhir-patient-finder.js';
import { identifierSystems } from './fhir-patient-mapping.js';
import { FHIR_JSON, fhirUrl, pingFhirServer } from './fhir-url.js';

type FhirStoreConfig = z.infer<typeof fhirStoreConfigSchema>;

const URI_SYSTEM = 'urn:ietf:rfc:3986';
const CONSENT_DOCUMENT = { system: 'http://loinc.org', code: '59284-0', display: 'Consent Document' };

export class FhirConsentStore implements ConsentStore {
  readonly type = 'fhir';
  private readonly client: HttpSourceClient;
  private readonly finder: FhirPatientFinder;
  private readonly perDocument = new PerDocumentQueue();

  constructor(
    private readonly config: FhirStoreConfig,
    configDir: string,
    logger?: Logger,
  ) {
    // Answers are small (a transaction response, a search); the PDF only goes out.
    this.client = new HttpSourceClient(config, configDir, 'consentStore', logger);
    this.finder = new FhirPatientFinder(this.client, config.baseUrl, logger);
  }

  store(document: ConsentDocument, options: CallOptions): Promise<ConsentStoreResult> {
    return this.perDocument.run(document.params.documentId, () => this.storeOnce(document, options));
  }

  private async storeOnce({ params, bytes }: ConsentDocument, { signal }: CallOptions): Promise<ConsentStoreResult> {
    const masterValue = `urn:uuid:${params.documentId.toLowerCase()}`;
    const condition = `identifier=${encodeURIComponent(`${URI_SYSTEM}|${masterValue}`)}`;
    const existing = await this.findExisting(condition, signal);
    if (existing) return { stored: true, location: existing, duplicate: true };

    const binaryUrl = `urn:uuid:${randomUUID()}`;
    const reference: DocumentReference = {
      resourceType: 'DocumentReference',
      masterIdentifier: { system: URI_SYSTEM, value: masterValue },
      identifier: [{ system: 'urn:cloud-connector:episode', value: params.episodeId }],
      status: 'current',
      docStatus: 'final',
      type: { coding: [this.config.documentType ?? CONSENT_DOCUMENT] },
      ...(this.config.category ? { category: [{ coding: [this.config.category] }] } : {}),
      subject: await this.subject(params.patient, signal),
      date: params.document.confirmedAt ?? params.document.consentedAt,
      author: [{ display: params.document.responsibleClinician }],
      description: `${params.document.title}: ${params.document.procedure}${params.document.side ? ` (${params.document.side})` : ''}`,
      content: [
        {
          attachment: {
            contentType: 'application/pdf',
            url: binaryUrl,
            title: params.fileName,
            size: bytes.length,
            // FHIR's Attachment.hash is the base64 SHA-1 of the data.
            hash: createHash('sha1').update(bytes).digest('base64'),
            creation: params.document.consentedAt,
          },
        },
      ],
      context: { period: { start: params.document.consentedAt } },
    };
    const marker = randomUUID();
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: binaryUrl,
          // A marker the body's writer replaces with the PDF's base64, made from its bytes piece by
          // piece (body-parts.ts): the document is never held as one more string or buffer.
          resource: { resourceType: 'Binary', contentType: 'application/pdf', data: marker },
          request: { method: 'POST', url: 'Binary' },
        },
        {
          fullUrl: `urn:uuid:${randomUUID()}`,
          resource: reference,
          request: { method: 'POST', url: 'DocumentReference', ifNoneExist: condition },
        },
      ],
    };
    const res = await this.client.send({
      method: 'POST',
      url: fhirUrl(this.config.baseUrl, ''),
      // return=minimal: the answer needs only each entry's status and location; a server that
      // echoes the created Binary back would send the whole PDF again (and past the 16 MiB an
      // answer may have).
      headers: { accept: FHIR_JSON, 'content-type': FHIR_JSON, prefer: 'return=minimal' },
      body: jsonWithBase64(JSON.stringify(bundle), marker, bytes),
      signal,
    });
    if (res.status < 200 || res.status >= 300) throw this.client.failFor(res);
    const answer = parseJsonBody(res) as Bundle;
    const entry = answer.entry?.[1]?.response;
    const location = entry?.location?.replace(/\/_history\/.*$/, '');
    if (!entry || !location) {
      throw new RpcError('source_unavailable', 'The FHIR server did not say where it stored the document.');
    }
    // 200 instead of 201: the conditional create found the document (a concurrent duplicate).
    // A server that leaves out the (required) status still stored it; we cannot tell it was new.
    return { stored: true, location, duplicate: !String(entry.status ?? '').startsWith('201') };
  }

  ping({ signal }: CallOptions): Promise<boolean> {
    return pingFhirServer(this.client, this.config.baseUrl, signal);
  }

  async close(): Promise<void> {
    this.client.close();
  }

  private async findExisting(condition: string, signal: AbortSignal): Promise<string | null> {
    const bundle = (await this.getJson(
      fhirUrl(this.config.baseUrl, `DocumentReference?${condition}`),
      signal,
    )) as Bundle;
    const found = bundle.entry?.find((e) => e.resource?.resourceType === 'DocumentReference')?.resource;
    return found?.id ? `DocumentReference/${found.id}` : null;
  }

  /**
   * The patient by identifier: a literal reference when exactly one current record carries it
   * (a merged record counts as its survivor; inactive ones never), else a logical one. Guessing
   * here would file the consent form in somebody else's record.
   */
  private async subject(
    patient: ConsentDocument['params']['patient'],
    signal: AbortSignal,
  ): Promise<Reference<Patient>> {
    const systems = identifierSystems(this.config.identifierSystems);
    const logical = { system: systems.local, value: patient.localIdentifier };
    const hits = await this.finder.search({ systems: [systems.local], value: patient.localIdentifier }, signal);
    if (hits.more) return { identifier: logical };
    const current = await this.finder.currentRecords(hits.patients, signal);
    if (current.length === 1 && current[0]?.id) {
      return { reference: `Patient/${current[0].id}`, identifier: logical };
    }
    return { identifier: logical };
  }

  private async getJson(url: URL, signal: AbortSignal): Promise<unknown> {
    const res = await this.client.send({ method: 'GET', url, headers: { accept: FHIR_JSON }, signal });
    if (res.status < 200 || res.status >= 300) throw this.client.failFor(res);
    return parseJsonBody(res);
  }
}
