// Before a setup is saved: can this build construct the chosen source and store from the config?
// Construction does not connect; it catches kinds not available in this version and settings that
// only the integration itself checks (secret files, CA files), so Start never saves a dead setup.
import type { ConnectorConfig } from '../../shared/config/schema.js';
import { ConfigError } from '../config/config-error.js';
import { createConsentStore, createPatientLookupSource } from '../integrations/registry.js';

export async function integrationProblem(
  config: ConnectorConfig,
  configDir: string,
  dataDir: string,
): Promise<{ message: string; field: string } | null> {
  const ctx = { configDir, environment: config.environment, dataDir };
  const attempts = [
    {
      field: 'patientLookup',
      what: 'patient lookup',
      make: config.patientLookup ? () => createPatientLookupSource(config.patientLookup as never, ctx) : null,
    },
    {
      field: 'consentStore',
      what: 'document store',
      make: config.consentStore ? () => createConsentStore(config.consentStore as never, ctx) : null,
    },
  ];
  for (const attempt of attempts) {
    if (!attempt.make) continue;
    try {
      await attempt.make().close();
    } catch (error) {
      const message =
        error instanceof ConfigError
          ? error.message
          : error instanceof Error && /not available in this build/.test(error.message)
            ? `This kind of ${attempt.what} is not available in this version of Cloud Connector.`
            : `The ${attempt.what} settings cannot be used. Check them, or ask your IT team.`;
      return { message, field: attempt.field };
    }
  }
  return null;
}
