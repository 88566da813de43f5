// The wizard's "Test lookup": one real lookup through the same pipeline the platform's calls use,
// for a test patient the operator typed. The result goes back to that operator only; it is never
// logged or kept.

import type { PatientLookupConfig } from '../../shared/config/sources.js';
import type { LookupTestResult } from '../../shared/ipc/channels.js';
import { type Environment, RpcError } from '../../shared/protocol/index.js';
import { lookupPatient } from '../integrations/lookup-pipeline.js';
import { createPatientLookupSource } from '../integrations/registry.js';

const WORDS: Record<string, string> = {
  source_unavailable: 'The patient system could not be reached. Check its address and that it is running.',
  source_timeout: 'The patient system did not answer in time. Check it is running and not overloaded.',
  ambiguous_match: 'More than one patient has this number. The platform would refuse this lookup; check the records.',
  not_test_patient:
    'This patient is not marked as a test patient. The Demo environment only returns test patients, so real records stay out of it.',
  invalid_params: 'Type a test patient number first.',
  cancelled: 'The test was stopped before it finished.',
};

export async function tryLookup(
  config: PatientLookupConfig,
  environment: Environment,
  identifier: string,
  options: { configDir: string; sourceHoldsOnlyTestData?: boolean; titleCaseNames?: boolean; timeoutMs?: number },
): Promise<LookupTestResult> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  const source = createPatientLookupSource(config, { configDir: options.configDir, environment });
  try {
    const result = await lookupPatient(
      source,
      identifier,
      { environment, sourceHoldsOnlyTestData: options.sourceHoldsOnlyTestData, titleCaseNames: options.titleCaseNames },
      { signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) },
    );
    if (!result.patient) {
      return {
        outcome: 'not_found',
        patient: null,
        durationMs: took(),
        message: 'No patient has this number. Check the number, or try another test patient.',
      };
    }
    return {
      outcome: 'found',
      patient: result.patient,
      durationMs: took(),
      message: 'Found. These are the details the platform would receive:',
    };
  } catch (error) {
    const reason = error instanceof RpcError ? error.reason : 'internal_error';
    const message =
      WORDS[reason] ??
      (reason === 'invalid_source_record' && error instanceof RpcError
        ? `${error.message} The platform would refuse this record; check it in the patient system.`
        : 'The lookup failed. Copy diagnostics and contact support.');
    return { outcome: 'failed', patient: null, durationMs: took(), message };
  } finally {
    await source.close().catch(() => undefined);
  }
}
