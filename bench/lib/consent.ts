// Consent documents for benchmarks and fault tests: a synthetic PDF of a given size and the
// consent.store params for it (test data only, no real person).
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConsentStore } from '../../src/main/integrations/registry.js';

export function syntheticPdf(bytes: number, seed = 0): Buffer {
  const head = Buffer.from(`%PDF-1.7\n% synthetic consent form ${seed}\n`, 'latin1');
  const body = Buffer.alloc(Math.max(0, bytes - head.length - 6), 0x20 + (seed % 90));
  return Buffer.concat([head, body, Buffer.from('%%EOF\n', 'latin1')]);
}

export function consentParams(pdf: Buffer, documentId: string = randomUUID()) {
  return {
    documentId,
    episodeId: `ep-${documentId.slice(0, 8)}`,
    fileName: `consent-${documentId}.pdf`,
    contentType: 'application/pdf',
    dataBase64: pdf.toString('base64'),
    sha256: createHash('sha256').update(pdf).digest('hex'),
    patient: {
      localIdentifier: 'd100000',
      nationalIdentifier: null,
      familyName: 'Testpatient',
      firstName: 'Demo',
      dateOfBirth: '1970-01-01',
    },
    document: {
      title: 'Consent form',
      procedure: 'Benchmark procedure',
      side: null,
      consentedAt: new Date().toISOString(),
      confirmedAt: null,
      responsibleClinician: 'Dr Bench',
      episodeHash: 'bench',
    },
  };
}

/** True when this build registers the folder document store (`consentStore: {type: "folder"}`). */
export function folderStoreAvailable(): boolean {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cc-folder-probe-'));
  try {
    const store = createConsentStore({ type: 'folder', path: dir } as never, {
      configDir: dir,
      environment: 'demo',
      dataDir: dir,
    });
    void store.close();
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
