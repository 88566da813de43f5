// MLLP peers for the HL7 tests. `startMedplumPeer` is a real HL7 receiver built on @medplum/hl7's
// Hl7Connection (an independent implementation of MLLP and message parsing); `startRawPeer` gives
// the test the raw socket, for chunking and misbehaviour that a well-behaved library never shows.
import net from 'node:net';
import tls from 'node:tls';
import { Hl7Message } from '@medplum/core';
import { Hl7Connection } from '@medplum/hl7';

export interface PeerContext {
  after(fn: () => unknown): void;
}

export interface MedplumPeer {
  port: number;
  /** Every message received, in order. */
  received: Hl7Message[];
  /** Connections accepted so far. */
  connections: () => number;
  /** Closes every open connection from the server side (the peer restarting, an idle timeout). */
  dropConnections(): void;
}

/** Answers each message with what `answer` returns (nothing: no answer). */
export async function startMedplumPeer(
  t: PeerContext,
  answer: (message: Hl7Message) => Hl7Message | string | undefined | Promise<Hl7Message | string | undefined>,
  options: { encoding?: string; tls?: { cert: string; key: string } } = {},
): Promise<MedplumPeer> {
  const received: Hl7Message[] = [];
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const onSocket = (socket: net.Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const connection = new Hl7Connection(socket, options.encoding ?? 'utf-8');
    connection.addEventListener('error', () => {});
    connection.addEventListener('message', async (event) => {
      received.push(event.message);
      const reply = await answer(event.message);
      if (reply === undefined || socket.destroyed) return;
      connection.send(typeof reply === 'string' ? Hl7Message.parse(reply) : reply);
    });
  };
  const server = options.tls
    ? tls.createServer({ cert: options.tls.cert, key: options.tls.key }, onSocket)
    : net.createServer(onSocket);
  const port = await listen(server);
  t.after(() => closeServer(server, sockets));
  return {
    port,
    received,
    connections: () => accepted,
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
  };
}

export interface RawPeer {
  port: number;
  /** Sockets in the order they connected. */
  sockets: net.Socket[];
  /** Closed sockets (seen from the peer). */
  closed: () => number;
}

/** Calls `onFrame` with each complete frame's text (latin1) and the socket, for the test to answer by hand. */
export async function startRawPeer(
  t: PeerContext,
  onFrame: (text: string, socket: net.Socket, frameNumber: number) => void,
): Promise<RawPeer> {
  const sockets: net.Socket[] = [];
  const live = new Set<net.Socket>();
  let closed = 0;
  let frameNumber = 0;
  const server = net.createServer((socket) => {
    sockets.push(socket);
    live.add(socket);
    socket.on('close', () => {
      closed++;
      live.delete(socket);
    });
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const start = buffer.indexOf(0x0b);
        const end = buffer.indexOf(Buffer.from([0x1c, 0x0d]), start);
        if (start < 0 || end < 0) return;
        const text = buffer.subarray(start + 1, end).toString('latin1');
        buffer = buffer.subarray(end + 2);
        onFrame(text, socket, frameNumber++);
      }
    });
  });
  const port = await listen(server);
  t.after(() => closeServer(server, live));
  return { port, sockets, closed: () => closed };
}

/** The control ID (MSH-10) of a raw message text. */
export function controlIdOf(text: string): string {
  return text.split('\r')[0]?.split('|')[9] ?? '';
}

/** Wraps text in an MLLP frame, encoded as `encoding`. */
export function frame(text: string, encoding: BufferEncoding = 'utf8'): Buffer {
  return Buffer.concat([Buffer.of(0x0b), Buffer.from(text, encoding), Buffer.of(0x1c, 0x0d)]);
}

/** A loopback port with nothing listening on it. */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

function closeServer(server: net.Server, sockets: Iterable<net.Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
