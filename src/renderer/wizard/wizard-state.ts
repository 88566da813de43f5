// Everything the wizard holds while the person moves between steps. Nothing is saved until Start.
import type {
  LookupTestResult,
  NetworkSettings,
  PlatformTestResult,
  SetupView,
  StoreTestResult,
} from '../../shared/ipc/channels.js';
import type { Environment } from '../../shared/protocol/methods.js';

export const STEPS = ['Environment', 'Connection token', 'Patient lookup', 'Consent documents', 'Done'] as const;

export interface IntegrationChoice {
  kind: string;
  values: Record<string, string>;
  extra: string;
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
