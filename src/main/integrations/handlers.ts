// The connector's method handlers: patient.lookup and consent.store through the common pipelines,
// connector.info from the live status.
import type { ConnectorInfoResult } from '../../shared/protocol/index.js';
import type { HandlerMap } from '../core/dispatcher.js';
import { storeConsent } from './consent-pipeline.js';
import { type LookupPolicy, lookupPatient } from './lookup-pipeline.js';
import type { ConsentStore, PatientLookupSource } from './types.js';

export interface HandlerDeps {
  source?: PatientLookupSource;
  store?: ConsentStore;
  policy: LookupPolicy;
  info: () => ConnectorInfoResult;
}

export function buildHandlers(deps: HandlerDeps): HandlerMap {
  const handlers: HandlerMap = {
    'connector.info': async () => deps.info(),
  };
  const { source, store } = deps;
  if (source) {
    // The call context (method and signal only) is the source's CallOptions as it is: its signal
    // is created only if the source reads it (see dispatcher.ts), so `{ signal: ctx.signal }`
    // here would defeat that.
    handlers['patient.lookup'] = (params, ctx) => lookupPatient(source, params.identificationNumber, deps.policy, ctx);
  }
  if (store) {
    handlers['consent.store'] = (params, ctx) => storeConsent(store, params, { signal: ctx.signal });
  }
  return handlers;
}
