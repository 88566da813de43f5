// Data-source and document-store configuration: one zod discriminated union per role.
// Each integration type adds its own object schema here, keyed by `type`.
import { z } from 'zod';

export const demoLookupConfigSchema = z.strictObject({
  type: z.literal('demo'),
  /** Simulated patient-system latency, for tests and benchmarks. */
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  /** Number of synthetic patients (default 10,000). */
  size: z.number().int().min(10).max(1_000_000).optional(),
});

export const patientLookupConfigSchema = z.discriminatedUnion('type', [demoLookupConfigSchema]);
export type PatientLookupConfig = z.infer<typeof patientLookupConfigSchema>;

export const folderStoreConfigSchema = z.strictObject({
  type: z.literal('folder'),
  path: z.string().min(1),
});

export const consentStoreConfigSchema = z.discriminatedUnion('type', [folderStoreConfigSchema]);
export type ConsentStoreConfig = z.infer<typeof consentStoreConfigSchema>;
