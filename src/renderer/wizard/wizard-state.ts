// Everything the wizard holds while the person moves between steps. Nothing is saved until Start.
import type {
  LookupTestResult,
  NetworkSettings,
  PlatformTestResult,
  SetupView,
  SqlColumnsResult,
  StoreTestResult,
} from '../../shared/ipc/channels.js';
import type { Environment } from '../../shared/protocol/methods.js';
import type { FormContent } from './kinds.js';

export const STEPS = ['Environment', 'Connection token', 'Patient lookup', 'Consent documents', 'Done'] as const;

export interface IntegrationChoice extends FormContent {
  kind: string;
  /** Plain-words problem per field key (forms/field-errors.ts). */
  errors: Record<string, string>;
  /** The answer of "Run with the test patient": column names and gender codes, never row values. */
  mapping: SqlColumnsResult | null;
  /** Said once after a settings file was loaded or saved. */
  notice: string | null;
}

export function emptyChoice(kind: string): IntegrationChoice {
  return {
    kind,
    values: {},
    secrets: {},
    savedSecrets: {},
    genderMap: {},
    extra: '',
    errors: {},
    mapping: null,
    notice: null,
  };
}

export interface WizardState {
  step: number;
  environment: Environment;
  view: SetupView | null;
  /** Only a token pasted in this session; the saved one never comes back from main. */
  token: string;
  tokenVisible: boolean;
  network: NetworkSettings;
  /** The person ticked "Send the saved token this way" after changing address, proxy or CA file. */
  confirmTokenDestination?: boolean;
  lookup: IntegrationChoice;
  store: IntegrationChoice;
  startAtLogin: boolean;
  testId: string;
  platformResult: PlatformTestResult | null;
  lookupResult: LookupTestResult | null;
  storeResult: StoreTestResult | null;
  busy: boolean;
  error: string | null;
}

export const NONE = 'none';
