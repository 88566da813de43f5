// Data-source and document-store configuration: one zod discriminated union per role.
// Each integration type adds its own object schema here, keyed by `type`.
import { z } from 'zod';
import { genderSchema } from '../protocol/methods.js';
import { hl7LookupConfigSchema, hl7StoreConfigSchema } from './hl7-sources.js';

export const demoLookupConfigSchema = z.strictObject({
  type: z.literal('demo'),
  /** Simulated patient-system latency, for tests and benchmarks. */
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  /** Number of synthetic patients (default 10,000). */
  size: z.number().int().min(10).max(100_000).optional(),
});

// ---- Shared pieces of the fhir / sql / http integrations -------------------------------------

/**
 * A secret is never written in the config itself: it is read from a file, an environment variable,
 * or (`stored`) the secret store of the program that saved the config — the app's encrypted store,
 * or `secrets/<name>` beside the config, readable only by its owner, when saved by the headless one.
 */
export const STORED_SECRET_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,99}$/;
export const secretRefSchema = z.union([
  z.strictObject({ file: z.string().min(1) }),
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') }),
  z.strictObject({ stored: z.string().regex(STORED_SECRET_NAME, 'must be the name of a saved secret') }),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;

const httpUrlSchema = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must start with https:// or http://');

export const httpAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('basic'), username: z.string().min(1), password: secretRefSchema }),
  z.strictObject({ type: z.literal('bearer'), token: secretRefSchema }),
  z.strictObject({
    type: z.literal('oauth2'),
    tokenUrl: httpUrlSchema,
    clientId: z.string().min(1),
    clientSecret: secretRefSchema,
    scope: z.string().min(1).optional(),
    /** How the client secret is sent to the token endpoint (default: HTTP Basic). */
    clientAuth: z.enum(['basic', 'body']).optional(),
  }),
]);
export type HttpAuthConfig = z.infer<typeof httpAuthSchema>;

/** Settings every HTTP-based integration (FHIR and JSON APIs) shares. */
const httpClientFields = {
  auth: httpAuthSchema.optional(),
  /** Extra request headers, e.g. an API gateway's subscription key. */
  headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a header name'), z.string()).optional(),
  /** A PEM file with the CA that signed the server's certificate, when it is not in the system store. */
  caFile: z.string().min(1).optional(),
  /** Give up connecting after this long (default 5 s): an unreachable server answers source_unavailable. */
  connectTimeoutMs: z.number().int().min(100).max(120_000).optional(),
};

/** Source codes → PROTOCOL gender, merged over the built-in table (M/F/O/U/A/N, male/female/…). Key "" = empty. */
export const genderMapSchema = z.record(z.string(), genderSchema);

/** Result fields of PROTOCOL §7 that a column (sql) or a JSON path (http) fills. */
function patientFieldMap<T extends z.ZodType>(value: T) {
  return z.strictObject({
    title: value.optional(),
    firstName: value,
    middleNames: value.optional(),
    familyName: value,
    dateOfBirth: value,
    gender: value,
    localIdentifier: value,
    nationalIdentifier: value.optional(),
    email: value.optional(),
    mobile: value.optional(),
    isTestPatient: value.optional(),
  });
}

export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
export const OLD_NHS_NUMBER_SYSTEM = 'http://fhir.nhs.net/Id/nhs-number';

const identifierSystemsSchema = z.strictObject({
  /** The system URI of the local identifier (hospital number). */
  local: z.string().min(1),
  /** The national identifier's system; default the NHS number (the older nhs.net URI is accepted too). */
  national: z.string().min(1).optional(),
});

// ---- patientLookup: fhir ----

export const fhirLookupConfigSchema = z.strictObject({
  type: z.literal('fhir'),
  baseUrl: httpUrlSchema,
  identifierSystems: identifierSystemsSchema,
  /** Which identifiers a lookup matches (default both). */
  match: z
    .array(z.enum(['local', 'national']))
    .min(1)
    .optional(),
  /** `token` searches `identifier=system|value` (default); `value` searches the bare value and filters by system. */
  searchBy: z.enum(['token', 'value']).optional(),
  genderMap: genderMapSchema.optional(),
  ...httpClientFields,
});

// ---- patientLookup: sql ----

const namedParamQuery = z
  .string()
  .min(1)
  .refine((q) => /:id(?![A-Za-z0-9_])/.test(q), 'must contain the parameter :id where the identifier goes');

const sqlCommonFields = {
  type: z.literal('sql'),
  /** One parameterised query; `:id` is bound to the normalised identifier, never spliced into the text. */
  query: namedParamQuery,
  /** Result field → column name (case-insensitive). */
  columns: patientFieldMap(z.string().min(1)),
  genderMap: genderMapSchema.optional(),
};

const poolSize = z.number().int().min(1).max(50).optional();
const connectTimeoutMs = z.number().int().min(100).max(120_000).optional();

export const postgresConnectionSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535).optional(),
  database: z.string().min(1),
  user: z.string().min(1),
  password: secretRefSchema.optional(),
  /** true: TLS with the system CAs; or a CA file; false/absent: no TLS (loopback or trusted LAN only). */
  ssl: z.union([z.boolean(), z.strictObject({ caFile: z.string().min(1) })]).optional(),
  poolSize,
  connectTimeoutMs,
});

export const mssqlConnectionSchema = z.strictObject({
  server: z.string().min(1),
  port: z.number().int().min(1).max(65_535).optional(),
  instanceName: z.string().min(1).optional(),
  database: z.string().min(1),
  user: z.string().min(1),
  password: secretRefSchema.optional(),
  /** Windows (NTLM) login: the domain of `user`. */
  domain: z.string().min(1).optional(),
  /** TLS to the server (default true). */
  encrypt: z.boolean().optional(),
  /** Accept a self-signed server certificate (only on a trusted LAN). */
  trustServerCertificate: z.boolean().optional(),
  poolSize,
  connectTimeoutMs,
});

export const sqliteConnectionSchema = z.strictObject({
  /** The database file; opened read-only. */
  file: z.string().min(1),
});

export const sqlLookupConfigSchema = z.discriminatedUnion('driver', [
  z.strictObject({ ...sqlCommonFields, driver: z.literal('postgres'), connection: postgresConnectionSchema }),
  z.strictObject({ ...sqlCommonFields, driver: z.literal('mssql'), connection: mssqlConnectionSchema }),
  z.strictObject({ ...sqlCommonFields, driver: z.literal('sqlite'), connection: sqliteConnectionSchema }),
]);
export type SqlLookupConfig = z.infer<typeof sqlLookupConfigSchema>;

// ---- patientLookup: http ----

/** `$`, `$.a.b`, `$.items[0].name`, `$['odd key']`. */
export const jsonPathSchema = z
  .string()
  .regex(/^\$(?:\.[A-Za-z_$][\w$-]*|\[\d+\]|\['[^'\]]+'\])*$/, 'must be a path such as $.name.given[0]');

export const httpLookupConfigSchema = z.strictObject({
  type: z.literal('http'),
  /** `{id}` is replaced by the URL-encoded identifier. */
  url: httpUrlSchema.refine((u) => u.includes('{id}'), 'must contain {id} where the identifier goes'),
  method: z.enum(['GET', 'POST']).optional(),
  /** POST only: a JSON body template; `{id}` is replaced by the identifier as a JSON string. */
  body: z.string().optional(),
  /** Result field → JSON path in the record. */
  fields: patientFieldMap(jsonPathSchema),
  /** Where the record (or an array of records) is in the response; default the whole response. */
  recordsPath: jsonPathSchema.optional(),
  /** HTTP statuses that mean "no such patient" (default [404]). */
  notFoundStatus: z.array(z.number().int().min(200).max(599)).min(1).optional(),
  genderMap: genderMapSchema.optional(),
  ...httpClientFields,
});

export const patientLookupConfigSchema = z.discriminatedUnion('type', [
  demoLookupConfigSchema,
  fhirLookupConfigSchema,
  sqlLookupConfigSchema,
  httpLookupConfigSchema,
  hl7LookupConfigSchema,
]);
export type PatientLookupConfig = z.infer<typeof patientLookupConfigSchema>;

/** Fields a folder store's file-name pattern may use; each value is made file-name safe. */
export const FILE_NAME_FIELDS = [
  'documentId',
  'episodeId',
  'localIdentifier',
  'nationalIdentifier',
  'familyName',
  'firstName',
  'dateOfBirth',
  'consentedDate',
  'procedure',
  'side',
  'title',
  'fileName',
] as const;

const fileNamePatternSchema = z
  .string()
  .min(1)
  .max(200)
  .refine(
    (p) => /^(?:[A-Za-z0-9 ._()-]|\/(?!\/)|\{[A-Za-z]+\})+$/.test(p) && !p.startsWith('/') && !p.endsWith('/'),
    'may contain only letters, digits, spaces, . _ - ( ), / between folders, and {field} placeholders',
  )
  .refine(
    (p) => p.split('/').every((part) => part !== '.' && part !== '..' && part.trim() !== ''),
    'must not contain . or .. folders',
  )
  .refine(
    (p) =>
      [...p.matchAll(/\{([A-Za-z]+)\}/g)].every((m) => (FILE_NAME_FIELDS as readonly string[]).includes(m[1] ?? '')),
    `placeholders must be one of ${FILE_NAME_FIELDS.map((f) => `{${f}}`).join(' ')}`,
  );

export const folderStoreConfigSchema = z.strictObject({
  type: z.literal('folder'),
  /** A local folder or a UNC network share (\\\\server\\share\\consents). */
  path: z.string().min(1),
  /** File name without extension, default `consent-{documentId}`; `.pdf` and `.json` are added. */
  fileNamePattern: fileNamePatternSchema.optional(),
  /** Write the JSON sidecar of metadata next to the PDF (default true). */
  sidecar: z.boolean().optional(),
});

const codingSchema = z.strictObject({
  system: z.string().min(1),
  code: z.string().min(1),
  display: z.string().min(1).optional(),
});

export const fhirStoreConfigSchema = z.strictObject({
  type: z.literal('fhir'),
  baseUrl: httpUrlSchema,
  /** How the patient is found to set DocumentReference.subject. */
  identifierSystems: identifierSystemsSchema,
  /** DocumentReference.type (default LOINC 59284-0 "Consent Document"). */
  documentType: codingSchema.optional(),
  /** DocumentReference.category (default none). */
  category: codingSchema.optional(),
  ...httpClientFields,
});

export const httpStoreConfigSchema = z.strictObject({
  type: z.literal('http'),
  url: httpUrlSchema,
  /** `json`: metadata with the PDF as base64 (default); `multipart`: a `metadata` JSON part and a `file` part. */
  format: z.enum(['json', 'multipart']).optional(),
  /** Where the stored document's reference is in the JSON answer (default the Location header, then documentId). */
  locationPath: jsonPathSchema.optional(),
  /** The status meaning "already stored" (default 409); `"duplicate": true` in the answer counts too. */
  duplicateStatus: z.number().int().min(200).max(599).optional(),
  ...httpClientFields,
});

export const consentStoreConfigSchema = z.discriminatedUnion('type', [
  folderStoreConfigSchema,
  fhirStoreConfigSchema,
  httpStoreConfigSchema,
  hl7StoreConfigSchema,
]);
export type ConsentStoreConfig = z.infer<typeof consentStoreConfigSchema>;
