// How a call's outcome is told to the hub's HTTP caller.
import { ERRORS, type ErrorReason, type RpcErrorObject, reasonForCode } from '../shared/protocol/index.js';

const STATUS: Record<ErrorReason, number> = {
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
};

export interface HttpError {
  status: number;
  body: { error: { code: number; reason: string; message: string; retryable: boolean } };
}

export function httpErrorFromRpc(error: RpcErrorObject): HttpError {
  const reason = (error.data?.reason ?? reasonForCode(error.code) ?? 'internal_error') as ErrorReason;
  return {
    status: STATUS[reason] ?? 502,
    body: {
      error: {
        code: error.code,
        reason,
        message: error.message,
        retryable: error.data?.retryable ?? ERRORS[reason]?.retryable ?? false,
      },
    },
  };
}

export function hubError(status: number, reason: string, message: string, retryable = false): HttpError {
  return { status, body: { error: { code: 0, reason, message, retryable } } };
}
