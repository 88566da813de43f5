// consent.store params around a small valid PDF, as the platform sends them.
import { createHash, randomUUID } from 'node:crypto';
import type { ConsentStoreParams } from '../../../src/shared/protocol/index.js';

export const TINY_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

export function consentParams(overrides: Partial<ConsentStoreParams> = {}, pdf = TINY_PDF): ConsentStoreParams {
  return {
    documentId: randomUUID(),
    episodeId: 'ep-2024-0042',
    fileName: 'consent-knee.pdf',
    contentType: 'application/pdf',
    dataBase64: pdf.toString('base64'),
    sha256: createHash('sha256').update(pdf).digest('hex'),
    patient: {
      localIdentifier: 'RX1001',
      nationalIdentifier: '9434765919',
      familyName: 'McDonald',
      firstName: 'Mary',
      dateOfBirth: '1958-03-14',
    },
    document: {
      title: 'Consent form 1',
      procedure: 'Total knee replacement',
      side: 'left',
      consentedAt: '2024-05-01T09:30:00+01:00',
      confirmedAt: null,
      responsibleClinician: 'Ms A Surgeon',
      episodeHash: 'abc123',
    },
    ...overrides,
  };
}

/** Values from consentParams that must never appear in a log line or error message. */
export const CONSENT_PERSONAL = ['RX1001', '9434765919', 'McDonald', 'Mary', '1958-03-14'];
