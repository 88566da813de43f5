// Signals as the dispatcher makes them: aborted with source_timeout at the deadline, or with
// cancelled on `$/cancelRequest`.
import { RpcError } from '../../../src/shared/protocol/index.js';

export function deadline(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new RpcError('source_timeout')), ms).unref();
  return controller.signal;
}

export function cancellable(): { signal: AbortSignal; cancel(): void } {
  const controller = new AbortController();
  return { signal: controller.signal, cancel: () => controller.abort(new RpcError('cancelled')) };
}

/** A signal that never fires. */
export const NO_DEADLINE = new AbortController().signal;

/** An NHS number with a valid modulus-11 check digit, from nine digits. */
export function nhsNumber(nine: string): string {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(nine[i]) * (10 - i);
  const check = (11 - (sum % 11)) % 11;
  if (check === 10) throw new Error('no valid check digit for these nine digits');
  return `${nine}${check}`;
}
