// Request bodies written piece by piece, so that a 25 MiB document goes out without being copied
// into one more body-sized buffer or string (docs/performance.md §5): the JSON or HL7 text around
// it is small, and the document's base64 is made a piece at a time from its bytes, each piece
// only when the socket has taken the one before.

/** A body of known length, made piece by piece in order as it is written. */
export interface StreamedBody {
  readonly length: number;
  pieces(): Iterable<Buffer>;
}

/** 768 KiB of bytes: 1 MiB of base64 per piece (a multiple of 3, so the pieces join without padding). */
const PIECE_BYTES = 3 * 256 * 1024;

export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/** The base64 of `bytes` in ASCII pieces of at most 1 MiB; joined, they are `bytes.toString('base64')`. */
export function* base64Pieces(bytes: Buffer): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += PIECE_BYTES) {
    yield Buffer.from(bytes.subarray(at, at + PIECE_BYTES).toString('base64'), 'latin1');
  }
}

/** Fixed parts and the base64 of a document between them, as one streamed body. */
export function withBase64Between(before: Buffer, bytes: Buffer, after: Buffer): StreamedBody {
  return {
    length: before.length + base64Length(bytes.length) + after.length,
    *pieces() {
      yield before;
      yield* base64Pieces(bytes);
      yield after;
    },
  };
}

/**
 * `json` with the string value `"<marker>"` replaced by the base64 of `bytes`. `marker` must occur
 * exactly once (a fresh UUID does).
 */
export function jsonWithBase64(json: string, marker: string, bytes: Buffer): StreamedBody {
  const around = json.split(`"${marker}"`);
  if (around.length !== 2) throw new Error('the base64 marker must occur exactly once in the JSON');
  return withBase64Between(Buffer.from(`${around[0]}"`), bytes, Buffer.from(`"${around[1]}`));
}

/** Fixed parts around the document's own bytes (multipart). */
export function withBytesBetween(before: Buffer, bytes: Buffer, after: Buffer): StreamedBody {
  return {
    length: before.length + bytes.length + after.length,
    *pieces() {
      yield before;
      yield bytes;
      yield after;
    },
  };
}

/** Writes the body's pieces, each after the stream has taken the one before (so few are held at once). */
export async function writePieces(
  out: {
    write(chunk: Buffer): boolean;
    once(event: 'drain' | 'close', fn: () => void): unknown;
    off(event: 'drain' | 'close', fn: () => void): unknown;
    destroyed: boolean;
  },
  body: StreamedBody,
): Promise<void> {
  for (const piece of body.pieces()) {
    if (out.destroyed) return;
    if (!out.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          out.off('drain', done);
          out.off('close', done);
          resolve();
        };
        out.once('drain', done);
        out.once('close', done);
      });
    }
  }
}
