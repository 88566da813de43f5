// MLLP framing: <VT> message <FS><CR>. Frames are found by scanning a stream buffer, because TCP
// delivers bytes in arbitrary chunks: a frame may arrive one byte at a time, or several in one chunk.
export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

export class MllpFrameTooLargeError extends Error {
  constructor() {
    super('MLLP frame exceeds the size limit.');
    this.name = 'MllpFrameTooLargeError';
  }
}

/** Wraps an encoded HL7 message in its MLLP envelope. */
export function frameMessage(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 3);
  out[0] = VT;
  payload.copy(out, 1);
  out[payload.length + 1] = FS;
  out[payload.length + 2] = CR;
  return out;
}

/**
 * Accumulates socket chunks and yields complete frame payloads. Bytes between frames (stray CR/LF
 * some engines send) are ignored; a VT inside a frame starts over, since the earlier frame was cut.
 */
export class MllpDeframer {
  private parts: Buffer[] = [];
  private size = 0;
  private inFrame = false;
  /** The previous chunk ended with FS: the frame ends if this chunk starts with CR. */
  private pendingFs = false;

  constructor(private readonly maxFrameBytes: number) {}

  /** True while part of a frame has been received but not its end. */
  get partial(): boolean {
    return this.inFrame;
  }

  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (!this.inFrame) {
        const start = chunk.indexOf(VT, i);
        if (start < 0) break;
        this.startFrame();
        i = start + 1;
        continue;
      }
      if (this.pendingFs) {
        this.pendingFs = false;
        if (chunk[i] === CR) {
          frames.push(this.endFrame());
          i += 1;
          continue;
        }
        this.append(Buffer.of(FS));
      }
      const end = nextDelimiter(chunk, i);
      if (end < 0) {
        this.append(chunk.subarray(i));
        break;
      }
      this.append(chunk.subarray(i, end));
      if (chunk[end] === VT) {
        this.startFrame();
        i = end + 1;
      } else if (end + 1 >= chunk.length) {
        this.pendingFs = true;
        i = end + 1;
      } else if (chunk[end + 1] === CR) {
        frames.push(this.endFrame());
        i = end + 2;
      } else {
        this.append(chunk.subarray(end, end + 1));
        i = end + 1;
      }
    }
    return frames;
  }

  reset(): void {
    this.parts = [];
    this.size = 0;
    this.inFrame = false;
    this.pendingFs = false;
  }

  private startFrame(): void {
    this.reset();
    this.inFrame = true;
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.size += bytes.length;
    if (this.size > this.maxFrameBytes) {
      this.reset();
      throw new MllpFrameTooLargeError();
    }
    this.parts.push(bytes);
  }

  private endFrame(): Buffer {
    const frame = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
    this.reset();
    return frame;
  }
}

/** Index of the next FS or VT at or after `from`, or -1. */
function nextDelimiter(chunk: Buffer, from: number): number {
  const fs = chunk.indexOf(FS, from);
  const vt = chunk.indexOf(VT, from);
  if (fs < 0) return vt;
  if (vt < 0) return fs;
  return Math.min(fs, vt);
}
