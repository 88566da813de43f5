// The wizard's "Test lookup": one real lookup through the same pipeline the platform's calls use
// (integrations/self-test.ts, shared with `cloud-connector check`), for a test patient the operator
// typed. The result goes back to that operator only; it is never logged or kept.

import type { PatientLookupConfig } from '../../shared/config/sources.js';
import type { LookupTestResult } from '../../shared/ipc/channels.js';
import type { Environment } from '../../shared/protocol/index.js';
import { createPatientLookupSource } from '../integrations/registry.js';
import { testLookup } from '../integrations/self-test.js';

export async function tryLookup(
  config: PatientLookupConfig,
  environment: Environment,
  identifier: string,
  options: { configDir: string; sourceHoldsOnlyTestData?: boolean; titleCaseNames?: boolean; timeoutMs?: number },
): Promise<LookupTestResult> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  let source: ReturnType<typeof createPatientLookupSource>;
  try {
    source = createPatientLookupSource(config, { configDir: options.configDir, environment });
  } catch {
    return {
      outcome: 'failed',
      patient: null,
      durationMs: took(),
      message: 'This kind of patient lookup cannot be used with these settings. Check them, or ask your IT team.',
    };
  }
  try {
    const outcome = await testLookup(
      source,
      { environment, sourceHoldsOnlyTestData: options.sourceHoldsOnlyTestData, titleCaseNames: options.titleCaseNames },
      identifier,
      AbortSignal.timeout(options.timeoutMs ?? 15_000),
    );
    if (!outcome.ok) {
      // The detail names a field (never a value) for records the pipeline refuses.
      const detail = outcome.reason === 'invalid_source_record' && outcome.detail ? ` ${outcome.detail}` : '';
      return { outcome: 'failed', patient: null, durationMs: took(), message: `${outcome.message}${detail}` };
    }
    if (!outcome.result.patient) {
      return {
        outcome: 'not_found',
        patient: null,
        durationMs: took(),
        message: 'No patient has this number. Check the number, or try another test patient.',
      };
    }
    return {
      outcome: 'found',
      patient: outcome.result.patient,
      durationMs: took(),
      message: 'Found. These are the details the platform would receive:',
    };
  } finally {
    await source.close().catch(() => undefined);
  }
}
