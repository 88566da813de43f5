// Turning driver and network failures into protocol errors without leaking anything: the
// message is fixed wording, and only an error *code* (ECONNREFUSED, 57014, …) is ever logged,
// because driver messages can quote the values they were given.
import { RpcError } from '../../../shared/protocol/index.js';
import type { Logger } from '../../core/logger.js';

/** The reason the dispatcher aborted with (source_timeout or cancelled), as an RpcError. */
export function abortError(signal: AbortSignal): RpcError {
  return signal.reason instanceof RpcError ? signal.reason : new RpcError('cancelled');
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

/** A short, value-free code for logs: errno/SQLSTATE/driver code, else the error's class name. */
export function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; errno?: unknown; name?: unknown };
    if (typeof e.code === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(e.code)) return e.code;
    if (typeof e.code === 'number') return String(e.code);
    if (typeof e.name === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(e.name)) return e.name;
  }
  return 'unknown';
}

/**
 * A TLS verification failure (self-signed, unknown CA, expired, wrong name), by its code only —
 * also when a driver wrapped it (tedious: `cause`; mssql: `originalError`).
 */
export function isCertificateError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME/.test(errorCode(current))) return true;
    const e = current as { cause?: unknown; originalError?: unknown };
    current = e.cause ?? e.originalError;
  }
  return false;
}

/** Said when a source's certificate fails verification: the connector sent it nothing. */
export const UNTRUSTED_SOURCE_MESSAGE =
  "The data source's TLS certificate is not trusted, so nothing was sent to it. If it is the right server, set caFile to the CA that signed its certificate.";

/**
 * The protocol error for a failed source call: the abort reason when the call was aborted,
 * an RpcError as it is, anything else `source_unavailable` (logged by code only).
 */
export function toSourceError(error: unknown, signal: AbortSignal, logger?: Logger, what = 'data source'): RpcError {
  if (signal.aborted) return abortError(signal);
  if (error instanceof RpcError) return error;
  logger?.warn(`${what} call failed`, { code: errorCode(error) });
  if (isCertificateError(error)) return new RpcError('source_unavailable', UNTRUSTED_SOURCE_MESSAGE);
  return new RpcError('source_unavailable');
}

/** Resolves with the promise, or rejects with the abort reason as soon as the signal fires. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
