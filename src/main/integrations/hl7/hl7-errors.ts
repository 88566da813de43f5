// The fixed wording of every HL7 failure. Messages never carry message content, peer text or
// socket error messages (which can echo host names or payload); only what the operator can act on.
import { RpcError } from '../../../shared/protocol/index.js';

export const unreachable = () => new RpcError('source_unavailable', 'The HL7 receiver could not be reached.');
export const untrusted = () =>
  new RpcError('source_unavailable', "The HL7 receiver's TLS certificate is not trusted (check tls.caFile).");
export const closedEarly = () =>
  new RpcError('source_unavailable', 'The HL7 receiver closed the connection before answering.');
export const answerTooLarge = () =>
  new RpcError('source_unavailable', 'The HL7 answer is larger than maxMessageBytes; the connection was closed.');
export const unreadable = () => new RpcError('source_unavailable', "The HL7 receiver's answer could not be read.");

/** The error a call ends with when its signal fires: the dispatcher's own reason when it gave one. */
export function abortError(signal: AbortSignal): RpcError {
  const reason: unknown = signal.reason;
  if (reason instanceof RpcError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return new RpcError('source_timeout');
  return new RpcError('cancelled');
}

/** Maps a socket or TLS error to its RpcError without copying its text. */
export function socketError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT|ALTNAME/.test(code)) return untrusted();
  if (code === 'ECONNRESET' || code === 'EPIPE') return closedEarly();
  return unreachable();
}
