// `patientLookup: {"type":"hl7"}`: IHE PDQ over MLLP. The identifier is asked for as a national
// number (when it is one) and as a local number, each a QBP^Q22 with its own control ID; the
// records found go to the common pipeline, which decides found / not found / ambiguous.
import type { Hl7LookupConfig } from '../../../shared/config/hl7-sources.js';
import { isValidNhsNumber, RpcError } from '../../../shared/protocol/index.js';
import type { CallOptions, PatientLookupSource, SourcePatient } from '../types.js';
import { answerTo } from './hl7-ack.js';
import { newControlId } from './hl7-header.js';
import { clientOptionsFrom, DEFAULT_ANSWER_BYTES, type Hl7Header, headerFrom, identityFrom } from './hl7-settings.js';
import { MllpClient } from './mllp-client.js';
import { readPdqAnswer } from './pdq-answer.js';
import { buildPdqQuery, type IdentifierKind, type PdqQuery } from './pdq-query.js';

export class Hl7PatientSource implements PatientLookupSource {
  readonly type = 'hl7';
  private readonly client: MllpClient;
  private readonly query: PdqQuery;
  private readonly header: Hl7Header;
  private readonly match: ReadonlyArray<IdentifierKind>;

  constructor(
    private readonly config: Hl7LookupConfig,
    configDir: string,
  ) {
    this.client = new MllpClient(clientOptionsFrom(config, configDir, config.maxMessageBytes ?? DEFAULT_ANSWER_BYTES));
    this.header = headerFrom(config);
    this.query = {
      header: this.header,
      identity: identityFrom(config),
      queryName: config.queryName ?? 'IHE PDQ Query',
    };
    this.match = config.match ?? ['national', 'local'];
  }

  async lookup(identifier: string, { signal }: CallOptions): Promise<SourcePatient[]> {
    const found: SourcePatient[] = [];
    if (this.match.includes('national') && isValidNhsNumber(identifier)) {
      found.push(...(await this.ask(identifier, 'national', signal)));
    }
    if (this.match.includes('local')) {
      let local = await this.ask(identifier, 'local', signal);
      // Lookups arrive downcased; many patient systems match hospital numbers case-sensitively.
      if (local.length === 0 && identifier !== identifier.toUpperCase()) {
        local = await this.ask(identifier.toUpperCase(), 'local', signal);
      }
      found.push(...local);
    }
    // Duplicates and several distinct records are for the common pipeline to judge.
    return found;
  }

  async ping({ signal }: CallOptions): Promise<boolean> {
    return this.client.probe(signal);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async ask(identifier: string, kind: IdentifierKind, signal: AbortSignal): Promise<SourcePatient[]> {
    const controlId = newControlId();
    const message = await this.client.request(
      buildPdqQuery(this.query, identifier, kind, controlId),
      (frame) => answerTo(frame, controlId, this.header.charset),
      { signal, retryOnStaleConnection: true },
    );
    const answer = readPdqAnswer(message, controlId, identifier, kind, this.query.identity, this.config.genderMap);
    // More matches than were sent: whatever they are, one patient cannot be chosen.
    if (answer.more) throw new RpcError('ambiguous_match');
    return answer.patients;
  }
}
