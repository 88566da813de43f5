// The "Test" buttons of the wizard and `cloud-connector check`: one real lookup through the
// common pipeline, and a write-and-read test of the document store. Failures come back in plain
// words (what happened, what to check), never as a stack trace.
import { createHash } from 'node:crypto';
import {
  type ConsentStoreParams,
  type ErrorReason,
  type PatientLookupResult,
  RpcError,
} from '../../shared/protocol/index.js';
import { storeConsent } from './consent-pipeline.js';
import { type LookupPolicy, lookupPatient } from './lookup-pipeline.js';
import type { ConsentStore, PatientLookupSource } from './types.js';

export type SelfTestFailure = { ok: false; reason: ErrorReason; message: string; detail?: string };
export type LookupTestOutcome = { ok: true; result: PatientLookupResult; message: string } | SelfTestFailure;
export type StoreTestOutcome = { ok: true; location: string; message: string } | SelfTestFailure;

const PLAIN: Partial<Record<ErrorReason, string>> = {
  source_unavailable:
    'The system could not be reached, or it refused the connector’s credentials. Check its address, the user name and password, and that this computer is allowed to connect to it.',
  source_timeout: 'The system did not answer in time. Check that it is running and not overloaded, then try again.',
  cancelled: 'The test was stopped before it finished.',
  ambiguous_match: 'More than one patient has this number. Check the number, or the query or search settings.',
  invalid_source_record:
    'The patient was found, but the record cannot be used as it is. Check the field named below in the patient system or in the field mapping.',
  not_test_patient:
    'This is the Demo environment and this patient is not marked as a test patient. Use a test patient, or say in the settings that this system holds only test data.',
  integrity_error: 'The test document failed its own integrity check. This is a fault in the connector.',
  invalid_params: 'The number is empty or too long. Type the patient’s hospital number or NHS number.',
};

function failure(error: unknown): SelfTestFailure {
  const reason: ErrorReason = error instanceof RpcError ? error.reason : 'internal_error';
  return {
    ok: false,
    reason,
    message: PLAIN[reason] ?? 'The connector failed unexpectedly. Copy the diagnostics for your support contact.',
    // RpcError messages never contain personal data (they name fields, not values).
    detail: error instanceof RpcError ? error.message : undefined,
  };
}

/** Runs one lookup exactly as `patient.lookup` would, for the operator's own test patient. */
export async function testLookup(
  source: PatientLookupSource,
  policy: LookupPolicy,
  id: string,
  signal: AbortSignal,
): Promise<LookupTestOutcome> {
  try {
    const result = await lookupPatient(source, id, policy, { signal });
    return {
      ok: true,
      result,
      message: result.patient ? 'Found the patient.' : 'The system answered: no patient has this number.',
    };
  } catch (error) {
    return failure(error);
  }
}

/** Fixed, so that repeated tests file one document; recognisable in any document store. */
export const SELF_TEST_DOCUMENT_ID = '00000000-0000-4000-8000-00000000c0de';
export const SELF_TEST_FILE_NAME = 'cloud-connector-self-test.pdf';

/** A minimal valid one-page PDF saying what it is. */
export function selfTestPdf(): Buffer {
  const text = 'BT /F1 18 Tf 72 720 Td (Cloud Connector self-test document - not a patient record) Tj ET';
  const objects = [
    '<</Type/Catalog/Pages 2 0 R>>',
    '<</Type/Pages/Kids[3 0 R]/Count 1>>',
    '<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>',
    `<</Length ${text.length}>>stream\n${text}\nendstream`,
    '<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<</Size ${objects.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

export function selfTestParams(now = new Date()): ConsentStoreParams {
  const pdf = selfTestPdf();
  return {
    documentId: SELF_TEST_DOCUMENT_ID,
    episodeId: 'cloud-connector-self-test',
    fileName: SELF_TEST_FILE_NAME,
    contentType: 'application/pdf',
    dataBase64: pdf.toString('base64'),
    sha256: createHash('sha256').update(pdf).digest('hex'),
    patient: {
      localIdentifier: 'CONNECTOR-SELF-TEST',
      nationalIdentifier: null,
      familyName: 'Self-test',
      firstName: 'Connector',
      dateOfBirth: '1900-01-01',
    },
    document: {
      title: 'Cloud Connector self-test',
      procedure: 'Connector self-test (not a patient record)',
      side: null,
      consentedAt: now.toISOString(),
      confirmedAt: null,
      responsibleClinician: 'Cloud Connector',
      episodeHash: 'self-test',
    },
  };
}

/**
 * Files the self-test document, then files it again: the second call must find the first
 * (idempotency by documentId), which proves the store can both write and read back. Leaves one
 * clearly named test document (the same one on every run).
 */
export async function testDocumentStore(store: ConsentStore, signal: AbortSignal): Promise<StoreTestOutcome> {
  try {
    const params = selfTestParams();
    const first = await storeConsent(store, params, { signal });
    const second = await storeConsent(store, params, { signal });
    if (!second.duplicate || second.location !== first.location) {
      return {
        ok: false,
        reason: 'source_unavailable',
        message:
          'The test document was written, but the store did not recognise it the second time, so documents sent twice would be filed twice. Check the store’s settings.',
      };
    }
    return {
      ok: true,
      location: first.location,
      message: `${first.duplicate ? 'The test document is already filed' : 'Filed a test document'} at ${first.location}.`,
    };
  } catch (error) {
    return failure(error);
  }
}
