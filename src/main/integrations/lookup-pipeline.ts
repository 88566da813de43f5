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
import { titleCaseName } from './common/title-case.js';
import type { CallOptions, PatientLookupSource, SourcePatient } from './types.js';

export interface LookupPolicy {
  environment: Environment;
  /** Demo environment only: accept records not flagged as test patients. */
  sourceHoldsOnlyTestData?: boolean;
  titleCaseNames?: boolean;
  /** Source codes → gender, merged over the built-in table (usually the source's `genderMap`). */
  genderMap?: Record<string, Patient['gender']>;
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

/** The built-in table with a configured one laid over it; configured keys match case-insensitively. */
export function genderTable(custom?: Record<string, Patient['gender']>): Record<string, Patient['gender']> {
  if (!custom) return GENDERS;
  const table = { ...GENDERS };
  for (const [code, gender] of Object.entries(custom)) table[code.trim().toLowerCase()] = gender;
  return table;
}

function titleCaseFields(source: SourcePatient): SourcePatient {
  // Values are not validated yet (the schema check comes after), so anything not a string passes through.
  const tc = <T>(v: T): T => (typeof v === 'string' ? (titleCaseName(v) as T) : v);
  return {
    ...source,
    title: tc(source.title),
    firstName: tc(source.firstName),
    middleNames: tc(source.middleNames),
    familyName: tc(source.familyName),
  };
}

export function normalisePatient(raw: SourcePatient, policy: LookupPolicy): Patient {
  // Names are only touched when every letter is a capital (see title-case.ts).
  const source = policy.titleCaseNames && raw !== null && typeof raw === 'object' ? titleCaseFields(raw) : raw;
  const gender = mapGender(typeof source.gender === 'string' ? source.gender : '', genderTable(policy.genderMap));
  if (!gender)
    throw new RpcError('invalid_source_record', 'The record from the data source has an invalid field: gender.');
  let nationalIdentifier = source.nationalIdentifier;
  if (nationalIdentifier !== null && nationalIdentifier !== undefined) {
    // A numeric column (BIGINT) would also lose a leading zero: refuse rather than guess.
    if (typeof nationalIdentifier !== 'string') {
      throw new RpcError(
        'invalid_source_record',
        'The record from the data source has an invalid field: nationalIdentifier.',
      );
    }
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

/**
 * The same record returned twice (a SQL join, a FHIR search and its merge target). Every field
 * must agree: two records that merely share an identifier are two patients, and guessing
 * between them is a clinical-safety incident, so they become `ambiguous_match`.
 */
export function samePatient(a: Patient, b: Patient): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof Patient>;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
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
  const effective = source.genderMap && !policy.genderMap ? { ...policy, genderMap: source.genderMap } : policy;
  const patients: Patient[] = [];
  for (const candidate of candidates) {
    const patient = normalisePatient(candidate, effective);
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
