// The one IPC contract between the renderer and whatever hosts the controller (Electron main
// today, the preview bridge in tests, a Windows service later). Every channel has a zod schema for
// its input; hosts parse with it before calling the handler, so malformed input never reaches it.
import { z } from 'zod';
import { environmentSchema, type Patient } from '../protocol/methods.js';
import type { ChannelName } from './channel-names.js';
import type { DayHistory } from './day-history.js';
import type { AppStatus, CallCounts, CallRow } from './status.js';

export { CHANNEL_NAMES, type ChannelName, STATUS_EVENT } from './channel-names.js';

const empty = z.strictObject({});
const text = (max: number) => z.string().max(max);

export const networkSettingsSchema = z.strictObject({
  /**
   * wss:// address of the platform; prefilled with the environment's built-in address when there is
   * one. Empty when the token brings its address (PROTOCOL §9) or none is known yet.
   */
  platformUrl: text(2048),
  /** "system" uses Windows' (or the environment's) proxy settings; "manual" uses proxyUrl. */
  proxyMode: z.enum(['system', 'manual']),
  proxyUrl: text(2048).optional(),
  /** Extra certificate authority (PEM file), for networks that inspect TLS. */
  caFile: text(4096).optional(),
});
export type NetworkSettings = z.infer<typeof networkSettingsSchema>;

/** A source or store config as the wizard built it; the controller checks it against the config schema. */
export const integrationInputSchema = z
  .record(z.string(), z.unknown())
  .refine((v) => typeof v.type === 'string' && v.type.length > 0 && v.type.length < 64, 'must have a "type"');
export type IntegrationInput = z.infer<typeof integrationInputSchema>;

/**
 * Secrets typed in the wizard (passwords, client secrets, bearer tokens), by the config path they
 * belong at, e.g. "patientLookup.connection.password". The controller keeps them in its secret store
 * and writes only a reference ({"stored": …}) into connector.json.
 */
export const SECRET_PATH = /^(?:patientLookup|consentStore)(?:\.[A-Za-z]{1,40}){1,3}$/;
export const secretsInputSchema = z
  .record(z.string().regex(SECRET_PATH), text(4096).min(1))
  .refine((v) => Object.keys(v).length <= 8, 'at most 8 secrets');
export type SecretsInput = z.infer<typeof secretsInputSchema>;

export const setupInputSchema = z.strictObject({
  environment: environmentSchema,
  /** A newly pasted token; omitted to keep the saved one. */
  token: text(4096).min(1).optional(),
  network: networkSettingsSchema,
  /** With no token pasted: the person confirmed that the saved token may go to a changed address, proxy or CA file. */
  confirmTokenDestination: z.boolean().optional(),
  patientLookup: integrationInputSchema.nullable(),
  consentStore: integrationInputSchema.nullable(),
  secrets: secretsInputSchema.optional(),
  startAtLogin: z.boolean(),
});
export type SetupInput = z.infer<typeof setupInputSchema>;

export const channelInputs = {
  'status.get': empty,
  'setup.get': z.strictObject({ environment: environmentSchema }),
  'setup.save': setupInputSchema,
  'setup.testPlatform': z.strictObject({
    environment: environmentSchema,
    token: text(4096).min(1).optional(),
    network: networkSettingsSchema,
    confirmTokenDestination: z.boolean().optional(),
  }),
  'setup.testLookup': z.strictObject({
    environment: environmentSchema,
    patientLookup: integrationInputSchema,
    identifier: text(64).min(1),
    secrets: secretsInputSchema.optional(),
  }),
  'setup.testStore': z.strictObject({
    environment: environmentSchema,
    consentStore: integrationInputSchema,
    secrets: secretsInputSchema.optional(),
  }),
  'setup.sqlColumns': z.strictObject({
    environment: environmentSchema,
    patientLookup: integrationInputSchema,
    identifier: text(64).min(1),
    secrets: secretsInputSchema.optional(),
    /** The column whose distinct values are offered for the gender codes. */
    genderColumn: text(128).min(1).optional(),
  }),
  /** The app's own picker: a folder for documents, or a certificate file (PEM). */
  'app.pickPath': z.strictObject({ kind: z.enum(['folder', 'certificate']) }),
  'status.day': z.strictObject({ environment: environmentSchema }),
  'calls.recent': z.strictObject({
    environment: environmentSchema.optional(),
    limit: z.number().int().min(1).max(50),
  }),
  'app.openLogs': empty,
  'connector.reconnect': z.strictObject({ environment: environmentSchema.optional() }),
  'connector.setPaused': z.strictObject({ environment: environmentSchema.optional(), paused: z.boolean() }),
  'diagnostics.copy': empty,
} as const satisfies Record<ChannelName, z.ZodType>;

export interface SetupView {
  environment: 'demo' | 'production';
  /** False on first run: the wizard starts from defaults. */
  exists: boolean;
  /** Never the token itself: only whether one is saved and a masked hint such as cc_demo_…1a2b. */
  token: { saved: boolean; masked: string | null };
  network: NetworkSettings;
  patientLookup: IntegrationInput | null;
  consentStore: IntegrationInput | null;
  startAtLogin: boolean;
  /** Kinds this build can use, for the wizard's choices. */
  available: { patientLookup: string[]; consentStore: string[] };
  /** Where secrets are kept, in words ("Windows data protection", "a file only you can read"). */
  secretStorage: string;
  /** The host can show folder and file pickers (the app); the preview has only the text fields. */
  canPickPaths: boolean;
}

export interface SqlColumnsResult {
  outcome: 'ok' | 'not_found' | 'failed';
  message: string;
  /** Column NAMES the query returned, never their values. */
  columns: string[];
  /** Distinct codes found in the gender column (short codes only), and what the built-in table makes of each. */
  genderValues: Array<{ code: string; builtIn: Patient['gender'] | null }>;
}

export type PlatformTestOutcome =
  | 'connected'
  | 'rejected'
  | 'wrong_environment'
  | 'update_required'
  | 'unreachable'
  | 'protocol_error'
  | 'invalid';

export interface PlatformTestResult {
  outcome: PlatformTestOutcome;
  /** Plain words: what happened and what to do. */
  message: string;
  /** Second line for the support call (host, proxy, close code). */
  detail: string;
  host: string;
  tenant: string | null;
  latencyMs: number | null;
}

export interface LookupTestResult {
  outcome: 'found' | 'not_found' | 'failed';
  message: string;
  /** Only the patient the operator asked for, only in answer to their own test. */
  patient: Patient | null;
  durationMs: number;
}

export interface StoreTestResult {
  ok: boolean;
  message: string;
  location: string | null;
}

export interface SaveResult {
  ok: boolean;
  message: string;
  /** The setup field the problem is in, e.g. "network.platformUrl" or "patientLookup.baseUrl". */
  field: string | null;
}

export interface ChannelOutputs {
  'status.get': AppStatus;
  'setup.get': SetupView;
  'setup.save': SaveResult;
  'setup.testPlatform': PlatformTestResult;
  'setup.testLookup': LookupTestResult;
  'setup.testStore': StoreTestResult;
  'setup.sqlColumns': SqlColumnsResult;
  'app.pickPath': { path: string | null };
  'status.day': DayHistory;
  'calls.recent': { calls: CallRow[]; counts: CallCounts };
  'app.openLogs': { path: string };
  'connector.reconnect': { ok: true };
  'connector.setPaused': { ok: true };
  'diagnostics.copy': { text: string };
}

export type ChannelInput<C extends ChannelName> = z.input<(typeof channelInputs)[C]>;
export type ParsedInput<C extends ChannelName> = z.output<(typeof channelInputs)[C]>;

/** What a host implements: one async handler per channel, given already-parsed input. */
export type IpcHandlers = { [C in ChannelName]: (input: ParsedInput<C>) => Promise<ChannelOutputs[C]> };

/** What the renderer sees on `window.connectorApi`: one function per channel plus the status event. */
export type ConnectorApi = { [C in ChannelName]: (input: ChannelInput<C>) => Promise<ChannelOutputs[C]> } & {
  onStatus(listener: (status: AppStatus) => void): () => void;
};

/** Every reply crosses the boundary in this envelope so that errors arrive as plain words. */
export type IpcReply<T> = { ok: true; value: T } | { ok: false; error: { code: IpcErrorCode; message: string } };
export type IpcErrorCode = 'invalid_input' | 'unknown_channel' | 'failed';

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.hasOwn(channelInputs, name);
}
