// Config of the HL7 v2 (MLLP) integrations: `patientLookup: {"type":"hl7"}` (IHE PDQ) and
// `consentStore: {"type":"hl7"}` (MDM^T02). Kept apart from sources.ts so each integration's
// schema can change without touching the others'; sources.ts adds them to its unions.
import { z } from 'zod';
import { genderSchema } from '../protocol/methods.js';

export const HL7_ENCODINGS = ['UTF-8', 'ISO-8859-1', 'windows-1252'] as const;

/** An HL7 HD namespace or code: no HL7 delimiters, no control characters. */
const hl7Name = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^|^~\\&\u0000-\u001f]+$/, 'must not contain | ^ ~ \\ & or control characters');

const hl7TlsSchema = z
  .strictObject({
    /** PEM file of the CA that signed the receiver's certificate, when it is not in the system store. */
    caFile: z.string().min(1).optional(),
    /** Client certificate and key (PEM) when the receiver asks for mutual TLS. */
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    /** The name the receiver's certificate is issued to, when it differs from `host`. */
    serverName: z.string().min(1).optional(),
  })
  .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), 'certFile and keyFile go together');

const hl7ConnectionFields = {
  type: z.literal('hl7'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535),
  /** MLLP over TLS; absent: plain TCP (loopback or a trusted network segment only). */
  tls: hl7TlsSchema.optional(),
  /** MSH-3 / MSH-4: who we are, as the receiver knows us. */
  sendingApplication: hl7Name(180),
  sendingFacility: hl7Name(180).optional(),
  /** MSH-5 / MSH-6: the receiver. */
  receivingApplication: hl7Name(180),
  receivingFacility: hl7Name(180).optional(),
  /** Assigning authority (CX-4) and identifier type (CX-5, default MR) of local identifiers. */
  localAuthority: hl7Name(180),
  localIdentifierType: hl7Name(5).optional(),
  /** Assigning authority (default NHS) and identifier type (default NH) of the national identifier. */
  nationalAuthority: hl7Name(180).optional(),
  nationalIdentifierType: hl7Name(5).optional(),
  /** Character set sent in MSH-18 (default UTF-8); answers are read by their own MSH-18. */
  encoding: z.enum(HL7_ENCODINGS).optional(),
  /** MSH-11 (default P, production). */
  processingId: z.enum(['P', 'T', 'D']).optional(),
  /** MSH-12 (default 2.5). */
  version: z.enum(['2.3.1', '2.4', '2.5', '2.5.1', '2.6']).optional(),
  /** Give up connecting after this long (default 5 s): source_unavailable. */
  connectTimeoutMs: z.number().int().min(100).max(120_000).optional(),
  /** Connections kept open to the receiver (default 2); each carries one message at a time. */
  maxConnections: z.number().int().min(1).max(16).optional(),
  /** Close a connection unused for this long (default 60 s). */
  idleTimeoutMs: z.number().int().min(1_000).max(3_600_000).optional(),
};

export const hl7LookupConfigSchema = z.strictObject({
  ...hl7ConnectionFields,
  /** Which identifiers a lookup matches (default both). */
  match: z
    .array(z.enum(['local', 'national']))
    .min(1)
    .optional(),
  /** QPD-1 message query name (default "IHE PDQ Query"). */
  queryName: hl7Name(60).optional(),
  /** PID-8 codes → PROTOCOL gender, over the built-in table (M/F/O/U/A/N). */
  genderMap: z.record(z.string(), genderSchema).optional(),
  /** Largest answer accepted (default 1 MiB). */
  maxMessageBytes: z
    .number()
    .int()
    .min(1_024)
    .max(64 * 1024 * 1024)
    .optional(),
});
export type Hl7LookupConfig = z.infer<typeof hl7LookupConfigSchema>;

export const hl7StoreConfigSchema = z.strictObject({
  ...hl7ConnectionFields,
  /** TXA-2 document type (default CONSENT): the code the receiving document system files consent forms under. */
  documentType: hl7Name(30).optional(),
  /** Largest MDM message sent, PDF included as base64 (default 40 MiB, enough for a 25 MiB PDF). */
  maxMessageBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .max(64 * 1024 * 1024)
    .optional(),
});
export type Hl7StoreConfig = z.infer<typeof hl7StoreConfigSchema>;
