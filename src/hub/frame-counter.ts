// Counts the WebSocket frames in the bytes a client sends, reading only frame headers. Before its
// hello, a socket's message may be at most 64 KiB, but `ws` keeps every fragment of a message as
// its own buffer: 64 KiB sent as one-byte fragments is 65,000 buffers, and 250 such sockets took
// the hub from 72 MB to 727 MB, unauthenticated, until their hello timed out. The gate counts
// frames until the hello succeeds and drops a socket that sends more than a hello (even
// fragmented) and a few pings would need. `ws` still parses the read in which the count is passed
// (up to 64 KiB, about 5 MB of short-lived objects when it is all one-byte frames): the same 250
// sockets now peak at 407 MB, which is garbage the hub reuses, not held.
export class FrameCounter {
  frames = 0;
  /** Bytes of a frame header split across chunks (at most 13). */
  private partial: Buffer = Buffer.alloc(0);
  /** Payload bytes of the current frame not yet seen. */
  private skip = 0;

  feed(chunk: Buffer): void {
    const data = this.partial.length > 0 ? Buffer.concat([this.partial, chunk]) : chunk;
    let at = 0;
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, data.length - at);
        this.skip -= n;
        at += n;
        if (this.skip > 0) break;
      }
      if (data.length - at < 2) break;
      const second = data[at + 1] as number;
      const short = second & 0x7f;
      const headerLength = 2 + (short === 126 ? 2 : short === 127 ? 8 : 0) + (second & 0x80 ? 4 : 0);
      if (data.length - at < headerLength) break;
      const payload =
        short === 126 ? data.readUInt16BE(at + 2) : short === 127 ? Number(data.readBigUInt64BE(at + 2)) : short;
      this.frames++;
      at += headerLength;
      this.skip = payload;
    }
    // Copied: a view would keep the whole chunk alive.
    this.partial = Buffer.from(data.subarray(at));
  }
}
