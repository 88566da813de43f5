// The connector's configuration file (JSON). Unknown keys are errors so that a typo never
// silently falls back to a default.
import { z } from 'zod';
import { environmentSchema } from '../protocol/methods.js';
import { consentStoreConfigSchema, patientLookupConfigSchema, secretRefSchema } from './sources.js';

const ms = (max: number) => z.number().int().min(1).max(max);

export const connectorConfigSchema = z.strictObject({
  environment: environmentSchema,
  platformUrl: z
    .string()
    .url()
    .refine((u) => /^wss?:\/\//i.test(u), 'must start with wss:// (or ws:// to a loopback host)'),
  tokenFile: z.string().min(1).optional(),
  caFile: z.string().min(1).optional(),
  proxy: z
    .string()
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// proxy URL')
    .optional(),
  /** The proxy's password, kept out of `proxy` (the set-up wizard stores it like the token). */
  proxyPassword: secretRefSchema.optional(),
  maxConcurrency: z.number().int().min(1).max(4096).optional(),
  maxMessageBytes: z
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .optional(),
  dataDir: z.string().min(1).optional(),
  name: z.string().min(1).max(255).optional(),
  /** Serve `GET /ready` and `GET /metrics` on this port, on 127.0.0.1 only (for watchdogs and Prometheus). */
  healthPort: z.number().int().min(1).max(65535).optional(),
  /** Convert names stored in UPPER CASE to Title Case. */
  titleCaseNames: z.boolean().optional(),
  /** Demo environment only: the source holds nothing but test data, so unflagged records are allowed. */
  sourceHoldsOnlyTestData: z.boolean().optional(),
  deadlinesMs: z
    .strictObject({
      'patient.lookup': ms(600_000).optional(),
      'consent.store': ms(3_600_000).optional(),
    })
    .optional(),
  /** Protocol timers; change only for tests. */
  timers: z
    .strictObject({
      pingIntervalMs: ms(600_000).optional(),
      deadAfterMs: ms(1_200_000).optional(),
      helloTimeoutMs: ms(600_000).optional(),
      backoffBaseMs: ms(600_000).optional(),
      backoffCapMs: ms(3_600_000).optional(),
      backoffResetAfterMs: ms(3_600_000).optional(),
      rejectedRetryMs: ms(24 * 3_600_000).optional(),
      updateRequiredRetryMs: ms(24 * 3_600_000).optional(),
      drainGraceMs: ms(600_000).optional(),
    })
    .optional(),
  /** The local audit log of call metadata (default `<dataDir>/audit.sqlite`, kept 90 days). */
  audit: z
    .strictObject({
      path: z.string().min(1).optional(),
      retentionDays: z.number().int().min(1).max(3650).optional(),
    })
    .optional(),
  /** Process logs for support (default `<dataDir>/logs`, level info, 5 MB per file, 5 old files kept). */
  logs: z
    .strictObject({
      dir: z.string().min(1).optional(),
      level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
      maxSizeMb: z.number().min(0.1).max(1024).optional(),
      keep: z.number().int().min(0).max(100).optional(),
    })
    .optional(),
  patientLookup: patientLookupConfigSchema.optional(),
  consentStore: consentStoreConfigSchema.optional(),
});

export type ConnectorConfig = z.infer<typeof connectorConfigSchema>;
