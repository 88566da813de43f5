// The one place where every source's answer becomes a PROTOCOL §7 patient: identifier
// normalisation, field normalisation, schema validation and the demo-environment safety rule.
import {
  type Environment,
  isValidNhsNumber,
  type Patient,
  type PatientLookupResult,
  patientSchema,
  RpcError,
} from '../../shared/protocol/index.js';
import type { CallOptions, PatientLookupSource, SourcePatient } from './types.js';

export interface LookupPolicy {
  environment: Environment;
  /** Demo environment only: accept records not flagged as test patients. */
  sourceHoldsOnlyTestData?: boolean;
  titleCaseNames?: boolean;
}

/** Trim, remove inner white space, downcase (the platform does the same; we do it again). */
export function normaliseIdentifier(raw: string): string {
  return raw.replace(/\s+/g, '').toLowerCase();
}

const GENDERS: Record<string, Patient['gender']> = {
  m: 'male',
  male: 'male',
  f: 'female',
  female: 'female',
  o: 'other',
  other: 'other',
  u: 'unknown',
  unknown: 'unknown',
  a: 'other',
  n: 'unknown',
};

export function mapGender(value: string, table: Record<string, Patient['gender']> = GENDERS): Patient['gender'] | null {
  return table[value.trim().toLowerCase()] ?? null;
}

export function normalisePatient(source: SourcePatient, policy: LookupPolicy): Patient {
  const gender = mapGender(source.gender ?? '');
  if (!gender)
    throw new RpcError('invalid_source_record', 'The record from the data source has an invalid field: gender.');
  let nationalIdentifier = source.nationalIdentifier;
  if (nationalIdentifier !== null && nationalIdentifier !== undefined) {
    nationalIdentifier = nationalIdentifier.replace(/[\s-]/g, '');
    if (!isValidNhsNumber(nationalIdentifier)) {
      throw new RpcError(
        'invalid_source_record',
        'The record from the data source has an invalid field: nationalIdentifier.',
      );
    }
  }
  const candidate = { ...source, gender, nationalIdentifier: nationalIdentifier ?? null };
  const parsed = patientSchema.safeParse(candidate);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join('.') || 'record';
    throw new RpcError('invalid_source_record', `The record from the data source has an invalid field: ${field}.`);
  }
  return parsed.data;
}

export function samePatient(a: Patient, b: Patient): boolean {
  return a.localIdentifier === b.localIdentifier && a.nationalIdentifier === b.nationalIdentifier;
}

export async function lookupPatient(
  source: PatientLookupSource,
  rawIdentifier: string,
  policy: LookupPolicy,
  options: CallOptions,
): Promise<PatientLookupResult> {
  const identifier = normaliseIdentifier(rawIdentifier);
  if (identifier.length === 0) {
    throw new RpcError('invalid_params', 'Invalid params: identificationNumber: too short or small (minimum 1).');
  }
  const candidates = await source.lookup(identifier, options);
  const patients: Patient[] = [];
  for (const candidate of candidates) {
    const patient = normalisePatient(candidate, policy);
    if (!patients.some((p) => samePatient(p, patient))) patients.push(patient);
  }
  if (patients.length === 0) return { patient: null };
  if (patients.length > 1) throw new RpcError('ambiguous_match');
  const patient = patients[0] as Patient;
  if (policy.environment === 'demo' && patient.isTestPatient !== true && !policy.sourceHoldsOnlyTestData) {
    throw new RpcError('not_test_patient');
  }
  return { patient };
}
