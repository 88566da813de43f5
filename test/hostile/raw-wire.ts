// Raw TCP clients for the hostile tests: HTTP requests and WebSocket frames written byte by byte,
// so that what no well-behaved client library would send (bad targets, folded headers, lying
// lengths, half-open sockets, frame headers that announce 20 MiB) can be sent.
import { randomBytes } from 'node:crypto';
import net from 'node:net';

export interface RawAnswer {
  /** The HTTP status of the first response line, or null when nothing parseable came back. */
  status: number | null;
  /** Everything received, as latin1 text. */
  text: string;
  /** The server closed the connection (rather than our timeout ending the wait). */
  closedByServer: boolean;
}

/**
 * Writes `request` to 127.0.0.1:port and collects what comes back until the server closes, one
 * complete response has arrived, or `timeoutMs` passes. `endAfterWrite` half-closes our side.
 */
export function rawHttp(
  port: number,
  request: string | Buffer,
  options: { timeoutMs?: number; endAfterWrite?: boolean } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = received.toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : null, text, closedByServer });
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 5_000);
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (completeResponse(received)) finish(false);
    });
    socket.on('connect', () => {
      socket.write(request);
      if (options.endAfterWrite) socket.end();
    });
  });
}

function completeResponse(data: Buffer): boolean {
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
  if (length) return data.length >= end + 4 + Number(length[1]);
  if (/\r\ntransfer-encoding: *chunked/i.test(text.slice(0, end))) return text.endsWith('0\r\n\r\n');
  return false; // no length: the end is the server closing
}

/** A WebSocket opened by hand: the 101 has been read; frames are written and read raw. */
export interface RawWebSocket {
  socket: net.Socket;
  /** Text of the data frames received so far (unmasked, in order). */
  messages: string[];
  /** The close code the server sent, once it sent one. */
  closeCode: number | null;
  pings: number;
  pongs: number;
  send(frame: Buffer): boolean;
  /**
   * Sends a ping and resolves true at its pong (so everything sent before it has been read by
   * the server), or false when the socket closes or `timeoutMs` passes first.
   */
  roundTrip(timeoutMs?: number): Promise<boolean>;
  /** Resolves with the close code, or null when the socket ended without a close frame. */
  closed(timeoutMs?: number): Promise<number | null>;
  nextMessage(timeoutMs?: number): Promise<string>;
}

export function rawWebSocket(
  port: number,
  options: { path?: string; protocol?: string | null; headers?: Record<string, string> } = {},
): Promise<RawWebSocket | { refused: number | null }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    // A frame and the ping behind it go out at once (no Nagle wait for the server's delayed ACK).
    socket.setNoDelay(true);
    const key = randomBytes(16).toString('base64');
    const protocol = options.protocol === undefined ? 'connector.v1' : options.protocol;
    const headers = {
      host: `127.0.0.1:${port}`,
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-key': key,
      'sec-websocket-version': '13',
      ...(protocol ? { 'sec-websocket-protocol': protocol } : {}),
      ...options.headers,
    };
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let closeWaiters: Array<(code: number | null) => void> = [];
    const messageWaiters: Array<(text: string) => void> = [];
    let pongWaiters: Array<() => void> = [];
    let ended = false;
    const ws: RawWebSocket = {
      socket,
      messages: [],
      closeCode: null,
      pings: 0,
      pongs: 0,
      send: (frame) => socket.write(frame),
      roundTrip(timeoutMs = 3_000) {
        if (ended || ws.closeCode !== null) return Promise.resolve(false);
        const want = ws.pongs + 1;
        socket.write(wsFrame(0x9, 'rt'));
        return new Promise((res) => {
          const timer = setTimeout(() => finish(false), timeoutMs);
          const finish = (value: boolean) => {
            clearTimeout(timer);
            pongWaiters = pongWaiters.filter((w) => w !== check);
            closeWaiters = closeWaiters.filter((w) => w !== onClose);
            res(value);
          };
          const check = () => {
            if (ws.pongs >= want) finish(true);
          };
          const onClose = () => finish(false);
          pongWaiters.push(check);
          closeWaiters.push(onClose);
        });
      },
      closed(timeoutMs = 10_000) {
        if (ended || ws.closeCode !== null) return Promise.resolve(ws.closeCode);
        return new Promise((res, rej) => {
          const timer = setTimeout(() => rej(new Error('the server did not close the socket')), timeoutMs);
          closeWaiters.push((code) => {
            clearTimeout(timer);
            res(code);
          });
        });
      },
      nextMessage(timeoutMs = 10_000) {
        const waiting = ws.messages.shift();
        if (waiting !== undefined) return Promise.resolve(waiting);
        return new Promise((res, rej) => {
          const timer = setTimeout(() => rej(new Error('no message arrived')), timeoutMs);
          messageWaiters.push((text) => {
            clearTimeout(timer);
            res(text);
          });
        });
      },
    };
    const end = () => {
      if (ended) return;
      ended = true;
      if (!upgraded) {
        const match = /^HTTP\/1\.1 (\d{3})/.exec(buffer.toString('latin1'));
        resolve({ refused: match ? Number(match[1]) : null });
      }
      for (const w of closeWaiters) w(ws.closeCode);
      closeWaiters = [];
    };
    socket.on('error', end);
    socket.on('close', end);
    socket.on('connect', () => {
      const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
      socket.write(`GET ${options.path ?? '/connector/v1'} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffer.subarray(0, end).toString('latin1');
        if (!/^HTTP\/1\.1 101/.test(head)) {
          upgraded = false;
          resolve({ refused: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0) || null });
          ended = true;
          socket.destroy();
          return;
        }
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve(ws);
      }
      for (;;) {
        const frame = readFrame(buffer);
        if (!frame) break;
        buffer = buffer.subarray(frame.size);
        if (frame.opcode === 0x8) {
          ws.closeCode = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
          for (const w of closeWaiters) w(ws.closeCode);
          closeWaiters = [];
        } else if (frame.opcode === 0x9) {
          ws.pings++;
          socket.write(wsFrame(0xa, frame.payload));
        } else if (frame.opcode === 0xa) {
          ws.pongs++;
          for (const w of [...pongWaiters]) w();
        } else if (frame.opcode === 0x1) {
          const text = frame.payload.toString('utf8');
          const w = messageWaiters.shift();
          if (w) w(text);
          else ws.messages.push(text);
        }
      }
    });
    setTimeout(() => {
      if (!upgraded && !ended) reject(new Error('no answer to the upgrade'));
    }, 10_000).unref();
  });
}

/**
 * A client frame (masked, as RFC 6455 requires of clients). `declaredLength` lets the header
 * announce more than the payload carries, e.g. 20 MiB with only a few bytes behind it.
 */
export function wsFrame(
  opcode: number,
  payload: Buffer | string,
  options: { fin?: boolean; declaredLength?: number; mask?: boolean } = {},
): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const length = options.declaredLength ?? data.length;
  const mask = options.mask !== false;
  const first = ((options.fin === false ? 0 : 1) << 7) | opcode;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([first, (mask ? 0x80 : 0) | length]);
  } else if (length < 65_536) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = (mask ? 0x80 : 0) | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = (mask ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!mask) return Buffer.concat([header, data]);
  const key = randomBytes(4);
  const masked = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) masked[i] = (data[i] as number) ^ (key[i % 4] as number);
  return Buffer.concat([header, key, masked]);
}

export const textFrame = (text: string) => wsFrame(0x1, text);

function readFrame(buffer: Buffer): { opcode: number; payload: Buffer; size: number } | null {
  if (buffer.length < 2) return null;
  const opcode = (buffer[0] as number) & 0x0f;
  let length = (buffer[1] as number) & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  if (buffer.length < offset + length) return null;
  return { opcode, payload: buffer.subarray(offset, offset + length), size: offset + length };
}

/**
 * A slow client (slowloris): sends a request line and then one header byte every `everyMs`,
 * never finishing its headers. `closed` resolves when the server gives up on it.
 */
export function slowClient(port: number, host: string, everyMs = 500): { closed: Promise<void>; stop(): void } {
  const socket = net.connect(port, '127.0.0.1');
  let timer: NodeJS.Timeout | undefined;
  socket.on('connect', () => {
    socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `);
    timer = setInterval(() => socket.write('a'), everyMs);
  });
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer);
      resolve();
    });
    socket.on('error', () => {});
  });
  return {
    closed,
    stop() {
      clearInterval(timer);
      socket.destroy();
    },
  };
}
