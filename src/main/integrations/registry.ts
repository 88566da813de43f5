// Builds the configured source and store from their config. Each integration type registers here.
import type { ConsentStoreConfig, PatientLookupConfig } from '../../shared/config/sources.js';
import type { Logger } from '../core/logger.js';
import { DemoSource } from './demo/demo-source.js';
import { FhirConsentStore } from './fhir/fhir-consent-store.js';
import { FhirPatientSource } from './fhir/fhir-patient-source.js';
import { FolderStore } from './folder/folder-store.js';
import { Hl7PatientSource } from './hl7/hl7-source.js';
import { Hl7ConsentStore } from './hl7/hl7-store.js';
import { HttpConsentStore } from './http/http-consent-store.js';
import { HttpPatientSource } from './http/http-patient-source.js';
import { SqlPatientSource } from './sql/sql-patient-source.js';
import type { ConsentStore, PatientLookupSource } from './types.js';

export interface IntegrationContext {
  /** Directory of the config file: relative paths in integration config resolve against it. */
  configDir: string;
  environment: 'demo' | 'production';
  /** Sources log failures by error code only, never values. */
  logger?: Logger;
  /** The connector's data folder, for stores that keep a local record (hl7: acknowledged documentIds). */
  dataDir?: string;
}

export function createPatientLookupSource(config: PatientLookupConfig, ctx: IntegrationContext): PatientLookupSource {
  switch (config.type) {
    case 'demo':
      return new DemoSource(config);
    case 'fhir':
      return new FhirPatientSource(config, ctx.configDir, ctx.logger);
    case 'sql':
      return new SqlPatientSource(config, ctx.configDir, ctx.logger);
    case 'http':
      return new HttpPatientSource(config, ctx.configDir, ctx.logger);
    case 'hl7':
      return new Hl7PatientSource(config, ctx.configDir);
    default:
      throw new Error(`patientLookup type "${(config as { type: string }).type}" is not available in this build`);
  }
}

export function createConsentStore(config: ConsentStoreConfig, ctx: IntegrationContext): ConsentStore {
  if (config.type === 'hl7')
    return new Hl7ConsentStore(config, { configDir: ctx.configDir, dataDir: ctx.dataDir, logger: ctx.logger });
  if (config.type === 'folder') return new FolderStore(config, ctx.configDir, ctx.logger);
  if (config.type === 'fhir') return new FhirConsentStore(config, ctx.configDir, ctx.logger);
  if (config.type === 'http') return new HttpConsentStore(config, ctx.configDir, ctx.logger);
  throw new Error(`consentStore type "${(config as { type: string }).type}" is not available in this build`);
}
