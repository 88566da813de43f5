// A consent.store frame carries a PDF of up to 25 MiB as 33 MiB of base64. Turned into text and
// parsed as a whole, the frame would be held three times at once (the socket's buffer, its text,
// the parsed string). Here the base64 is cut out of the buffer first: the rest of the frame (a
// few hundred bytes) is parsed as usual, and the base64 becomes one string straight from the
// buffer (docs/performance.md §5). Anything unusual takes the ordinary path instead.
import { randomUUID } from 'node:crypto';

/** Frames from this size on are looked at; smaller ones are parsed whole, as every frame was. */
export const LARGE_FRAME_BYTES = 1024 * 1024;

const KEY = Buffer.from('"dataBase64":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The frame parsed, with `params.dataBase64` taken from the buffer without a copy of the whole
 * frame as text; undefined when the frame is not one this applies to (no such key, more than one,
 * an escape inside the value, not under `params`, not a request, not JSON): parse it the
 * ordinary way then.
 */
export function parseLargeFrame(frame: Buffer): Record<string, unknown> | undefined {
  const at = frame.indexOf(KEY);
  if (at < 0 || frame.indexOf(KEY, at + KEY.length) >= 0) return undefined;
  const start = at + KEY.length;
  const end = frame.indexOf(QUOTE, start);
  if (end < 0) return undefined;
  // base64 never needs an escape; a value with one (`\/`) is left to JSON.parse.
  const backslash = frame.indexOf(BACKSLASH, start);
  if (backslash >= 0 && backslash < end) return undefined;
  // The value replaced by a mark no sender can predict: what remains is small, and the mark is
  // found at `params.dataBase64` only if that is where JSON.parse puts the value itself (not a
  // second `params`, nor a key spelled with an escape that the search above does not see).
  const mark = randomUUID();
  let message: unknown;
  try {
    message = JSON.parse(`${frame.toString('utf8', 0, start)}${mark}${frame.toString('utf8', end)}`);
  } catch {
    return undefined;
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  // Only requests: a notification (goaway) is for the connection, which reads the frame as text.
  if (!('id' in message)) return undefined;
  const params = (message as { params?: unknown }).params;
  if (typeof params !== 'object' || params === null || (params as { dataBase64?: unknown }).dataBase64 !== mark) {
    return undefined;
  }
  // latin1 maps each byte to one character: the text JSON.parse would have made of valid base64,
  // and anything else still fails the pipeline's base64 check.
  (params as { dataBase64: string }).dataBase64 = frame.toString('latin1', start, end);
  return message as Record<string, unknown>;
}
