// The two interfaces every integration implements. Sources return raw candidates; the common
// lookup pipeline (lookup-pipeline.ts) normalises, validates and applies the safety rules.
import type { ConsentStoreParams, ConsentStoreResult, Patient } from '../../shared/protocol/index.js';

export interface CallOptions {
  /** Aborted on deadline or `$/cancelRequest`; sources must stop their I/O when it fires. */
  signal: AbortSignal;
}

/**
 * A patient record as a source produced it, before the common pipeline. Fields may still need
 * normalising (NHS number spacing, gender codes, upper-case names).
 */
export type SourcePatient = Omit<Patient, 'gender'> & { gender: string };

export interface PatientLookupSource {
  readonly type: string;
  /** The source's own gender codes (config `genderMap`), laid over the pipeline's built-in table. */
  readonly genderMap?: Record<string, Patient['gender']>;
  /**
   * Find the patient with this normalised identifier. Returns every distinct matching record
   * (the pipeline turns more than one into `ambiguous_match`). Throws RpcError for source failures.
   */
  lookup(identifier: string, options: CallOptions): Promise<SourcePatient[]>;
  /** Reachability probe for status and `check`; resolves true when the source answers. */
  ping(options: CallOptions): Promise<boolean>;
  close(): Promise<void>;
}

export interface ConsentDocument {
  params: ConsentStoreParams;
  /** The decoded PDF, already verified against sha256, header and size. */
  bytes: Buffer;
}

export interface ConsentStore {
  readonly type: string;
  store(document: ConsentDocument, options: CallOptions): Promise<ConsentStoreResult>;
  ping(options: CallOptions): Promise<boolean>;
  close(): Promise<void>;
}
