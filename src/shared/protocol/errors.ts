// The error table of PROTOCOL.md §5: one row per reason, used by both halves.
import { z } from 'zod';

export const ERRORS = {
  parse_error: { code: -32700, retryable: false },
  invalid_request: { code: -32600, retryable: false },
  method_not_found: { code: -32601, retryable: false },
  invalid_params: { code: -32602, retryable: false },
  internal_error: { code: -32603, retryable: true },
  cancelled: { code: -32800, retryable: false },
  source_unavailable: { code: -32001, retryable: true },
  source_timeout: { code: -32002, retryable: true },
  ambiguous_match: { code: -32003, retryable: false },
  invalid_source_record: { code: -32004, retryable: false },
  busy: { code: -32005, retryable: true },
  not_test_patient: { code: -32006, retryable: false },
  integrity_error: { code: -32007, retryable: false },
  draining: { code: -32008, retryable: true },
} as const;

export type ErrorReason = keyof typeof ERRORS;
export const ERROR_REASONS = Object.keys(ERRORS) as [ErrorReason, ...ErrorReason[]];
export const errorReasonSchema = z.enum(ERROR_REASONS);

export function reasonForCode(code: number): ErrorReason | undefined {
  return ERROR_REASONS.find((r) => ERRORS[r].code === code);
}

export const rpcErrorDataSchema = z.object({
  reason: z.string(),
  retryable: z.boolean(),
});

export const rpcErrorObjectSchema = z.object({
  code: z.number().int(),
  message: z.string(),
  data: rpcErrorDataSchema.optional(),
});
export type RpcErrorObject = z.infer<typeof rpcErrorObjectSchema>;

/**
 * An error that becomes a protocol error response. The message must never contain
 * personal data: callers pass fixed wording or field names only.
 */
export class RpcError extends Error {
  readonly reason: ErrorReason;
  constructor(reason: ErrorReason, message?: string) {
    super(message ?? defaultMessage(reason));
    this.name = 'RpcError';
    this.reason = reason;
  }
  get code(): number {
    return ERRORS[this.reason].code;
  }
  toErrorObject(): RpcErrorObject {
    return {
      code: this.code,
      message: this.message,
      data: { reason: this.reason, retryable: ERRORS[this.reason].retryable },
    };
  }
}

const MESSAGES: Record<ErrorReason, string> = {
  parse_error: 'The message is not valid JSON.',
  invalid_request: 'The message is not a JSON-RPC 2.0 request.',
  method_not_found: 'This method is not enabled on this connector.',
  invalid_params: 'The parameters do not match the method.',
  internal_error: 'The connector failed unexpectedly.',
  cancelled: 'The request was cancelled.',
  source_unavailable: 'The data source could not be reached.',
  source_timeout: 'The data source did not answer in time.',
  ambiguous_match: 'More than one patient matches.',
  invalid_source_record: 'The record from the data source is not valid.',
  busy: 'The connector is at its concurrency limit.',
  not_test_patient: 'The demo environment only returns test patients.',
  integrity_error: 'The document failed its integrity checks.',
  draining: 'The connector is shutting down.',
};

export function defaultMessage(reason: ErrorReason): string {
  return MESSAGES[reason];
}
