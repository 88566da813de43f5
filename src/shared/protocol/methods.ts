// Method params and results of PROTOCOL.md §7.
import { z } from 'zod';

export const ENVIRONMENTS = ['demo', 'production'] as const;
export const environmentSchema = z.enum(ENVIRONMENTS);
export type Environment = z.infer<typeof environmentSchema>;

export const CALLABLE_METHODS = ['patient.lookup', 'consent.store'] as const;
export const callableMethodSchema = z.enum(CALLABLE_METHODS);
export type CallableMethod = z.infer<typeof callableMethodSchema>;
export const ALL_METHODS = [...CALLABLE_METHODS, 'connector.info'] as const;
export type MethodName = (typeof ALL_METHODS)[number];

export const patientLookupParamsSchema = z.object({
  identificationNumber: z.string().min(1).max(64),
});
export type PatientLookupParams = z.infer<typeof patientLookupParamsSchema>;

/** YYYY-MM-DD and a real calendar date (no 1970-02-31, no 0000-00-00). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const isoDate = z.string().refine(isCalendarDate, 'must be a real date, YYYY-MM-DD');

export const genderSchema = z.enum(['male', 'female', 'other', 'unknown']);
export type Gender = z.infer<typeof genderSchema>;

/** NHS number: 10 digits whose modulus-11 check digit is valid. */
export function isValidNhsNumber(value: string): boolean {
  if (!/^\d{10}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(value[i]) * (10 - i);
  const check = 11 - (sum % 11);
  const digit = check === 11 ? 0 : check;
  return digit !== 10 && digit === Number(value[9]);
}

export const patientSchema = z.strictObject({
  title: z.string().min(1).nullable(),
  firstName: z.string().min(1),
  middleNames: z.string().min(1).nullable(),
  familyName: z.string().min(1),
  dateOfBirth: isoDate,
  gender: genderSchema,
  localIdentifier: z.string().min(1),
  nationalIdentifier: z.string().nullable(),
  email: z.string().nullable(),
  mobile: z.string().nullable(),
  isTestPatient: z.boolean().optional(),
});
export type Patient = z.infer<typeof patientSchema>;

export const patientLookupResultSchema = z.object({ patient: patientSchema.nullable() });
export type PatientLookupResult = z.infer<typeof patientLookupResultSchema>;

export const consentStoreParamsSchema = z.object({
  documentId: z.uuid(),
  episodeId: z.string().min(1),
  fileName: z.string().min(1).max(255),
  contentType: z.literal('application/pdf'),
  dataBase64: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters'),
  patient: z.object({
    localIdentifier: z.string().min(1),
    nationalIdentifier: z.string().nullable(),
    familyName: z.string(),
    firstName: z.string(),
    dateOfBirth: isoDate,
  }),
  document: z.object({
    title: z.string(),
    procedure: z.string(),
    side: z.enum(['left', 'right', 'bilateral']).nullable(),
    consentedAt: z.iso.datetime({ offset: true }),
    confirmedAt: z.iso.datetime({ offset: true }).nullable(),
    responsibleClinician: z.string(),
    episodeHash: z.string(),
  }),
});
export type ConsentStoreParams = z.infer<typeof consentStoreParamsSchema>;

export const consentStoreResultSchema = z.object({
  stored: z.literal(true),
  location: z.string(),
  duplicate: z.boolean(),
});
export type ConsentStoreResult = z.infer<typeof consentStoreResultSchema>;

export const sourceStateSchema = z.enum(['up', 'down', 'unconfigured']);
export type SourceState = z.infer<typeof sourceStateSchema>;

export const connectorInfoParamsSchema = z.object({}).loose();
export const connectorInfoResultSchema = z.object({
  version: z.string(),
  environment: environmentSchema,
  methods: z.array(z.string()),
  uptimeS: z.number(),
  sources: z.record(z.string(), sourceStateSchema),
});
export type ConnectorInfoResult = z.infer<typeof connectorInfoResultSchema>;

export const METHOD_PARAMS = {
  'patient.lookup': patientLookupParamsSchema,
  'consent.store': consentStoreParamsSchema,
  'connector.info': connectorInfoParamsSchema,
} as const;

export interface MethodTypes {
  'patient.lookup': { params: PatientLookupParams; result: PatientLookupResult };
  'consent.store': { params: ConsentStoreParams; result: ConsentStoreResult };
  'connector.info': { params: Record<string, unknown>; result: ConnectorInfoResult };
}
