// `patientLookup: {"type":"fhir"}`: `GET [base]/Patient?identifier=…` against an R4 server.
// Retries with the upper-case value (many servers match identifiers case-sensitively while
// lookups arrive downcased), follows `replaced-by` once, and never answers with an inactive
// or replaced record (fhir-patient-finder.ts).
import type { z } from 'zod';
import type { fhirLookupConfigSchema } from '../../../shared/config/sources.js';
import { RpcError } from '../../../shared/protocol/index.js';
import type { Logger } from '../../core/logger.js';
import { HttpSourceClient } from '../common/http-source-client.js';
import type { CallOptions, PatientLookupSource, SourcePatient } from '../types.js';
import { FhirPatientFinder } from './fhir-patient-finder.js';
import { type IdentifierSystems, identifierSystems, mapFhirPatient } from './fhir-patient-mapping.js';
import { pingFhirServer } from './fhir-url.js';

type FhirLookupConfig = z.infer<typeof fhirLookupConfigSchema>;

export class FhirPatientSource implements PatientLookupSource {
  readonly type = 'fhir';
  readonly genderMap;
  private readonly client: HttpSourceClient;
  private readonly finder: FhirPatientFinder;
  private readonly systems: IdentifierSystems;
  /** The systems a lookup may match, per `match`. */
  private readonly matchSystems: string[];

  constructor(
    private readonly config: FhirLookupConfig,
    configDir: string,
    logger?: Logger,
  ) {
    this.genderMap = config.genderMap;
    this.client = new HttpSourceClient(config, configDir, 'patientLookup', logger);
    this.finder = new FhirPatientFinder(this.client, config.baseUrl, logger);
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
    const current = await this.finder.currentRecords(found, signal);
    return current.map((p) => mapFhirPatient(p, this.systems));
  }

  ping({ signal }: CallOptions): Promise<boolean> {
    return pingFhirServer(this.client, this.config.baseUrl, signal);
  }

  async close(): Promise<void> {
    this.client.close();
  }

  private async search(value: string, signal: AbortSignal) {
    const hits = await this.finder.search(
      { systems: this.matchSystems, value, searchBy: this.config.searchBy },
      signal,
    );
    // More matches than one page: whatever the others are, one patient cannot be chosen.
    if (hits.more) throw new RpcError('ambiguous_match');
    return hits.patients;
  }
}
