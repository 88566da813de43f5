// A small pool of MLLP connections to one receiver: connections are reused while healthy, opened
// again after the peer closes them, and closed after a quiet spell. MLLP answers in order on a
// connection, so each connection carries one message at a time; callers beyond `maxConnections`
// wait for a free one, within their own deadline.
import type { StreamedBody } from '../common/body-parts.js';
import { abortError, closedEarly } from './hl7-errors.js';
import { type FrameMatcher, MllpConnection, type MllpEndpoint, MllpExchangeError } from './mllp-connection.js';

export interface MllpClientOptions extends MllpEndpoint {
  maxConnections: number;
  idleTimeoutMs: number;
}

export interface RequestOptions {
  signal: AbortSignal;
  /**
   * Send again on a fresh connection when a reused one turns out dead before any answer byte.
   * Safe for queries; not used for documents, where the receiver may have filed the first copy.
   */
  retryOnStaleConnection: boolean;
}

interface IdleEntry {
  connection: MllpConnection;
  timer: NodeJS.Timeout;
}

export class MllpClient {
  private readonly idle: IdleEntry[] = [];
  private open = 0;
  private waiters: Array<() => void> = [];
  private closing = false;

  constructor(private readonly options: MllpClientOptions) {}

  async request<T>(payload: Buffer | StreamedBody, match: FrameMatcher<T>, options: RequestOptions): Promise<T> {
    const { signal } = options;
    let attempt = 0;
    for (;;) {
      const { connection, reused } = await this.acquire(signal);
      try {
        const value = await connection.exchange(payload, match, signal);
        this.release(connection);
        return value;
      } catch (error) {
        connection.destroy();
        if (error instanceof MllpExchangeError) {
          const retry = options.retryOnStaleConnection && reused && error.nothingReceived && attempt === 0;
          if (retry && !signal.aborted) {
            attempt++;
            continue;
          }
          throw error.rpcError;
        }
        throw error;
      }
    }
  }

  /** Opens (or reuses) a connection: true when the receiver accepts TCP/TLS connections. */
  async probe(signal: AbortSignal): Promise<boolean> {
    try {
      const { connection } = await this.acquire(signal);
      this.release(connection);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const entry of this.idle.splice(0)) {
      clearTimeout(entry.timer);
      entry.connection.destroy();
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  private async acquire(signal: AbortSignal): Promise<{ connection: MllpConnection; reused: boolean }> {
    for (;;) {
      if (signal.aborted) throw abortError(signal);
      if (this.closing) throw closedEarly();
      const entry = this.idle.pop();
      if (entry) {
        clearTimeout(entry.timer);
        if (entry.connection.reusable) return { connection: entry.connection, reused: true };
        entry.connection.destroy();
        continue;
      }
      if (this.open < this.options.maxConnections) {
        this.open++;
        try {
          const connection = await MllpConnection.open(this.options, signal);
          connection.onClose(() => this.onClosed(connection));
          return { connection, reused: false };
        } catch (error) {
          this.open--;
          this.wakeOne();
          throw error;
        }
      }
      await this.waitForSlot(signal);
    }
  }

  private release(connection: MllpConnection): void {
    if (this.closing || !connection.reusable) {
      connection.destroy();
      return;
    }
    const timer = setTimeout(() => connection.destroy(), this.options.idleTimeoutMs);
    timer.unref();
    this.idle.push({ connection, timer });
    this.wakeOne();
  }

  private onClosed(connection: MllpConnection): void {
    this.open--;
    const index = this.idle.findIndex((e) => e.connection === connection);
    if (index >= 0) {
      clearTimeout(this.idle[index]?.timer);
      this.idle.splice(index, 1);
    }
    this.wakeOne();
  }

  private wakeOne(): void {
    this.waiters.shift()?.();
  }

  private waitForSlot(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        reject(abortError(signal));
      };
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(wake);
    });
  }
}
