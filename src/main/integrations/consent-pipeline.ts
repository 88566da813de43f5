// Checks every consent.store document passes before any target writes it (PROTOCOL §7).
import { createHash } from 'node:crypto';
import {
  type ConsentStoreParams,
  type ConsentStoreResult,
  MAX_PDF_BYTES,
  RpcError,
} from '../../shared/protocol/index.js';
import type { CallOptions, ConsentDocument, ConsentStore } from './types.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function verifyConsentDocument(received: ConsentStoreParams, maxBytes = MAX_PDF_BYTES): ConsentDocument {
  // One spelling of the idempotency key for every store: the same UUID in capitals is the same document.
  const params = { ...received, documentId: received.documentId.toLowerCase() };
  const bytes = decodeDocument(params.dataBase64, params.sha256, maxBytes);
  // Decoded once: the stores work from the bytes, and the base64 text (a third larger than the
  // PDF) is not kept alive by the document for as long as a store takes to file it.
  return { params: { ...params, dataBase64: '' }, bytes };
}

function decodeDocument(dataBase64: string, sha256: string, maxBytes: number): Buffer {
  // Reject before decoding when the encoded size alone proves the document is too large.
  if (Math.floor((dataBase64.length * 3) / 4) - 2 > maxBytes) {
    throw new RpcError('integrity_error', 'The document is larger than 25 MiB.');
  }
  if (dataBase64.length % 4 !== 0 || !BASE64.test(dataBase64)) {
    throw new RpcError('integrity_error', 'The document data is not valid base64.');
  }
  const bytes = Buffer.from(dataBase64, 'base64');
  if (bytes.length > maxBytes) throw new RpcError('integrity_error', 'The document is larger than 25 MiB.');
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== sha256.toLowerCase()) {
    throw new RpcError('integrity_error', 'The document does not match its sha256.');
  }
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw new RpcError('integrity_error', 'The document is not a PDF.');
  }
  return bytes;
}

export async function storeConsent(
  store: ConsentStore,
  params: ConsentStoreParams,
  options: CallOptions,
): Promise<ConsentStoreResult> {
  const document = verifyConsentDocument(params);
  return store.store(document, options);
}

/** What a store records beside the PDF: the call's metadata, never the document bytes. */
export function documentMetadata({ params, bytes }: ConsentDocument) {
  return {
    documentId: params.documentId,
    episodeId: params.episodeId,
    fileName: params.fileName,
    contentType: params.contentType,
    sha256: params.sha256.toLowerCase(),
    sizeBytes: bytes.length,
    patient: params.patient,
    document: params.document,
  };
}
