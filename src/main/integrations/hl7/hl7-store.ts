// `consentStore: {"type":"hl7"}`: files the consent PDF as an MDM^T02 over MLLP and waits for the
// receiver's ACK. AA/CA is success; AE/AR (CE/CR) is an error that carries the receiver's error
// code, never its free text or anything from the message. Idempotent by documentId through the
// local acknowledged-documents record.
import path from 'node:path';
import type { Hl7StoreConfig } from '../../../shared/config/hl7-sources.js';
import { type ConsentStoreResult, RpcError } from '../../../shared/protocol/index.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import { PerDocumentQueue } from '../common/per-document-queue.js';
import type { CallOptions, ConsentDocument, ConsentStore } from '../types.js';
import { AcknowledgedDocuments } from './acknowledged-documents.js';
import { ackCode, answerTo, isAccepted, receiverCode } from './hl7-ack.js';
import { newControlId } from './hl7-header.js';
import { clientOptionsFrom, DEFAULT_ANSWER_BYTES, headerFrom, identityFrom } from './hl7-settings.js';
import { buildMdm, type MdmSettings } from './mdm-message.js';
import { MllpClient } from './mllp-client.js';

/** Default cap on the MDM message: a 25 MiB PDF is 33.4 MiB as base64, plus the segments around it. */
export const DEFAULT_MDM_BYTES = 40 * 1024 * 1024;

export const ACKNOWLEDGED_FILE = 'hl7-acknowledged-documents.jsonl';

export class Hl7ConsentStore implements ConsentStore {
  readonly type = 'hl7';
  private readonly client: MllpClient;
  private readonly mdm: MdmSettings;
  private readonly maxMessageBytes: number;
  private readonly acknowledged: AcknowledgedDocuments;
  private readonly perDocument = new PerDocumentQueue();

  private readonly logger: Logger;

  constructor(config: Hl7StoreConfig, options: { configDir: string; dataDir?: string; logger?: Logger }) {
    this.logger = options.logger ?? silentLogger;
    // The receiver only ever sends ACKs, which are small.
    this.client = new MllpClient(clientOptionsFrom(config, options.configDir, DEFAULT_ANSWER_BYTES));
    this.mdm = {
      header: headerFrom(config),
      identity: identityFrom(config),
      documentType: config.documentType ?? 'CONSENT',
    };
    this.maxMessageBytes = config.maxMessageBytes ?? DEFAULT_MDM_BYTES;
    this.acknowledged = new AcknowledgedDocuments(
      options.dataDir ? path.join(options.dataDir, ACKNOWLEDGED_FILE) : undefined,
      this.logger,
    );
  }

  store(document: ConsentDocument, options: CallOptions): Promise<ConsentStoreResult> {
    return this.perDocument.run(document.params.documentId, () => this.fileOnce(document, options));
  }

  async ping({ signal }: CallOptions): Promise<boolean> {
    return this.client.probe(signal);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async fileOnce(document: ConsentDocument, options: CallOptions): Promise<ConsentStoreResult> {
    const known = await this.acknowledged.location(document.params.documentId);
    if (known !== undefined) return { stored: true, location: known, duplicate: true };
    return this.send(document, options);
  }

  private async send(document: ConsentDocument, { signal }: CallOptions): Promise<ConsentStoreResult> {
    const controlId = newControlId();
    const message = buildMdm(this.mdm, document, controlId);
    if (message.length + 3 > this.maxMessageBytes) {
      throw new RpcError('integrity_error', 'The document is too large for the HL7 receiver (maxMessageBytes).');
    }
    const ack = await this.client.request(message, (frame) => answerTo(frame, controlId, this.mdm.header.charset), {
      signal,
      retryOnStaleConnection: false,
    });
    const code = ackCode(ack);
    if (!isAccepted(code)) {
      const errorCode = receiverCode(ack);
      const shownCode = /^[A-Z]{2}$/.test(code) ? code : 'no MSA-1';
      throw new RpcError(
        'source_unavailable',
        `The HL7 receiver did not accept the document (${shownCode}${errorCode ? `: ${errorCode}` : ''}).`,
      );
    }
    const location = `hl7://${this.mdm.header.receivingApplication}/${document.params.documentId}`;
    try {
      await this.acknowledged.add(document.params.documentId, location);
    } catch (error) {
      // The receiver has the document: answering an error now would only make the platform send it
      // again. The id stays in memory, so duplicates are still caught until the next restart.
      this.logger.warn('hl7 store: could not save the record of acknowledged documents', {
        code: (error as NodeJS.ErrnoException).code ?? 'unknown',
      });
    }
    return { stored: true, location, duplicate: false };
  }
}
