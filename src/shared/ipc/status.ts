// The status snapshot the controller sends to the renderer and the tray. Plain data, no secrets,
// no personal data: what state each environment is in, since when, and what needs attention.
import { z } from 'zod';
import { environmentSchema, sourceStateSchema } from '../protocol/methods.js';
import { SESSION_STATES } from '../session-states.js';

// What the app shows per environment: the session's states plus the two the app adds.
export const ENV_STATES = ['not_set_up', 'paused', ...SESSION_STATES] as const;
export const envStateSchema = z.enum(ENV_STATES);
export type EnvState = z.infer<typeof envStateSchema>;

export const warningSchema = z.object({
  /** Stable code, for tests and support: audit_unwritable, source_down, start_failed … */
  code: z.string(),
  environment: environmentSchema.nullable(),
  /** What is wrong, in plain words. */
  message: z.string(),
  /** What to do about it. */
  fix: z.string(),
});
export type Warning = z.infer<typeof warningSchema>;

export const environmentStatusSchema = z.object({
  environment: environmentSchema,
  configured: z.boolean(),
  paused: z.boolean(),
  state: envStateSchema,
  /** ISO time the current state began. */
  since: z.string(),
  latencyMs: z.number().nullable(),
  platformUrl: z.string().nullable(),
  tenant: z.string().nullable(),
  /** Plain-words reason for the last disconnect, never containing secrets. */
  lastError: z.string().nullable(),
  lastCloseCode: z.number().nullable(),
  nextAttemptAt: z.string().nullable(),
  /** Consecutive connection attempts since the last successful connection. */
  attempt: z.number().int(),
  sources: z.record(z.string(), sourceStateSchema),
});
export type EnvironmentStatus = z.infer<typeof environmentStatusSchema>;

export const appStatusSchema = z.object({
  version: z.string(),
  /** Always both environments, production first. */
  environments: z.array(environmentStatusSchema),
  warnings: z.array(warningSchema),
  startAtLogin: z.boolean(),
});
export type AppStatus = z.infer<typeof appStatusSchema>;

export const callRowSchema = z.object({
  time: z.string(),
  environment: environmentSchema,
  method: z.string(),
  outcome: z.string(),
  reason: z.string().nullable(),
  durationMs: z.number(),
});
export type CallRow = z.infer<typeof callRowSchema>;

export const callCountsSchema = z.object({
  lookups: z.number().int(),
  documents: z.number().int(),
  errors: z.number().int(),
});
export type CallCounts = z.infer<typeof callCountsSchema>;
