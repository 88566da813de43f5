// How a call's outcome is told to the hub's HTTP caller. The connector's error is untrusted text:
// its reason is one of PROTOCOL §5 or `other`, its message is cut short and made one line.
import { ERRORS, type ErrorReason, type RpcErrorObject, reasonForCode } from '../shared/protocol/index.js';
import { knownReason, safeConnectorMessage } from './connector-text.js';

const STATUS: Record<ErrorReason | 'other', number> = {
  parse_error: 400,
  invalid_request: 400,
  invalid_params: 400,
  method_not_found: 404,
  internal_error: 502,
  cancelled: 499,
  source_unavailable: 502,
  source_timeout: 504,
  ambiguous_match: 409,
  invalid_source_record: 502,
  busy: 503,
  not_test_patient: 422,
  integrity_error: 422,
  draining: 503,
  other: 502,
};

export interface HttpError {
  status: number;
  body: { error: { code: number; reason: string; message: string; retryable: boolean } };
}

export function httpErrorFromRpc(error: RpcErrorObject): HttpError {
  const reason = error.data ? knownReason(error.data.reason) : (reasonForCode(error.code) ?? 'internal_error');
  return {
    status: STATUS[reason],
    body: {
      error: {
        code: error.code,
        reason,
        message: safeConnectorMessage(error.message),
        retryable: error.data?.retryable ?? (reason === 'other' ? false : ERRORS[reason].retryable),
      },
    },
  };
}

export function hubError(status: number, reason: string, message: string, retryable = false): HttpError {
  return { status, body: { error: { code: 0, reason, message, retryable } } };
}

/** The hub's words for a request its listener guard refused (the reason word stays machine-readable). */
export function refusalError(status: number, reason: string): HttpError {
  const message =
    status === 413
      ? 'The request is too large.'
      : status === 421
        ? 'This server does not answer for that host name.'
        : status === 503
          ? 'The platform cannot take this now; try again shortly.'
          : status >= 500
            ? 'The platform failed unexpectedly.'
            : 'The request is malformed.';
  return hubError(status, reason, message, status === 503);
}
