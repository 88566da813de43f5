// One MLLP connection (plain TCP or TLS): send a framed message and wait for the frame that answers
// it. The caller decides which frame answers (MSA-2 = our control ID); other frames are skipped.
// Any abort, oversize frame or unreadable answer destroys the socket, so that a late answer can
// never be read as the answer to the next message.
import net from 'node:net';
import tls from 'node:tls';
import { type StreamedBody, writePieces } from '../common/body-parts.js';
import { abortError, answerTooLarge, closedEarly, socketError, unreachable } from './hl7-errors.js';
import { CR, FS, frameMessage, MllpDeframer, MllpFrameTooLargeError, VT } from './mllp-framing.js';

export interface MllpEndpoint {
  host: string;
  port: number;
  /** TLS options when the receiver speaks MLLP over TLS; undefined for plain TCP. */
  tls?: tls.ConnectionOptions;
  connectTimeoutMs: number;
  maxFrameBytes: number;
}

/** Returns the decoded answer when `frame` answers our message, undefined to keep waiting. May throw. */
export type FrameMatcher<T> = (frame: Buffer) => T | undefined;

export class MllpExchangeError extends Error {
  constructor(
    readonly rpcError: Error,
    /** No byte arrived for this exchange: the peer may never have seen the message. */
    readonly nothingReceived: boolean,
  ) {
    super(rpcError.message);
    this.name = 'MllpExchangeError';
  }
}

interface Pending {
  onFrame(frame: Buffer): void;
  onFailure(error: Error): void;
}

export class MllpConnection {
  private readonly deframer: MllpDeframer;
  private pending: Pending | null = null;
  private closed = false;
  private bytesSinceSend = 0;
  private readonly closeListeners: Array<() => void> = [];

  private constructor(
    private readonly socket: net.Socket,
    maxFrameBytes: number,
  ) {
    this.deframer = new MllpDeframer(maxFrameBytes);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(socketError(error)));
    socket.on('end', () => this.fail(closedEarly()));
    socket.on('close', () => this.fail(closedEarly()));
  }

  static open(endpoint: MllpEndpoint, signal: AbortSignal): Promise<MllpConnection> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(abortError(signal));
        return;
      }
      const connectEvent = endpoint.tls ? 'secureConnect' : 'connect';
      const socket = endpoint.tls
        ? tls.connect({ ...endpoint.tls, host: endpoint.host, port: endpoint.port })
        : net.connect({ host: endpoint.host, port: endpoint.port });
      const timer = setTimeout(() => done(unreachable()), endpoint.connectTimeoutMs);
      const onAbort = () => done(abortError(signal));
      const onError = (error: Error) => done(socketError(error));
      const onClose = () => done(unreachable());
      const done = (error: Error | null) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        socket.off('error', onError);
        socket.off('close', onClose);
        socket.off(connectEvent, onConnect);
        if (error) {
          socket.destroy();
          reject(error);
        } else {
          socket.setNoDelay(true);
          socket.setKeepAlive(true, 30_000);
          resolve(new MllpConnection(socket, endpoint.maxFrameBytes));
        }
      };
      const onConnect = () => done(null);
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.once('close', onClose);
      socket.once(connectEvent, onConnect);
    });
  }

  /**
   * Open, not mid-exchange, no half-received frame and nothing left unsent (a receiver may refuse
   * a message before reading all of it): safe to send the next message.
   */
  get reusable(): boolean {
    return !this.closed && this.pending === null && !this.deframer.partial && this.socket.writableLength === 0;
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  exchange<T>(payload: Buffer | StreamedBody, match: FrameMatcher<T>, signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed) {
        reject(new MllpExchangeError(closedEarly(), true));
        return;
      }
      if (signal.aborted) {
        reject(abortError(signal));
        return;
      }
      const finish = (error: Error | null, value?: T) => {
        signal.removeEventListener('abort', onAbort);
        this.pending = null;
        if (error) reject(error);
        else resolve(value as T);
      };
      const onAbort = () => {
        finish(abortError(signal));
        this.destroy();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.bytesSinceSend = 0;
      this.pending = {
        onFrame: (frame) => {
          let value: T | undefined;
          try {
            value = match(frame);
          } catch (error) {
            finish(error as Error);
            this.destroy();
            return;
          }
          if (value !== undefined) finish(null, value);
        },
        onFailure: (error) => finish(new MllpExchangeError(error, this.bytesSinceSend === 0)),
      };
      if (Buffer.isBuffer(payload)) this.socket.write(frameMessage(payload));
      else {
        // A large message (a consent PDF) goes out piece by piece inside one MLLP envelope.
        const socket = this.socket;
        socket.write(Buffer.from([VT]));
        writePieces(socket, payload).then(
          () => {
            if (!socket.destroyed) socket.write(Buffer.from([FS, CR]));
          },
          () => this.destroy(),
        );
      }
    });
  }

  destroy(): void {
    this.fail(closedEarly());
  }

  private onData(chunk: Buffer): void {
    this.bytesSinceSend += chunk.length;
    let frames: Buffer[];
    try {
      frames = this.deframer.push(chunk);
    } catch (error) {
      this.fail(error instanceof MllpFrameTooLargeError ? answerTooLarge() : socketError(error));
      return;
    }
    // Frames that arrive while nothing is pending are unsolicited; nothing can answer them.
    for (const frame of frames) this.pending?.onFrame(frame);
  }

  private fail(error: Error): void {
    const pending = this.pending;
    this.pending = null;
    if (!this.closed) {
      this.closed = true;
      this.socket.destroy();
      for (const listener of this.closeListeners.splice(0)) listener();
    }
    pending?.onFailure(error);
  }
}
