// WebSocket-level heartbeat of PROTOCOL.md §1. Only the connector pings (every heartbeatMs); the
// platform answers with pongs and pings nothing. Both ends watch: a peer from which nothing (ping,
// pong or any frame) has arrived for deadAfterMs (2 × heartbeatMs + 5 s) is terminated without a
// closing handshake. The connector starts at 15 s and follows the platform's choice once the
// hello result names it (`retime`). The bytes of a message still arriving count too: while a
// peer sends a frame of many MiB over a slow line, no whole frame, ping or pong can arrive (its
// pong waits behind that frame), yet it is plainly alive.
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';

export interface HeartbeatTiming {
  /** How often to ping; null for the side that only answers (the platform). */
  pingIntervalMs: number | null;
  deadAfterMs: number;
}

export interface HeartbeatOptions extends HeartbeatTiming {
  /** The socket under `ws`: any byte read from it is a sign of life. */
  socket?: Duplex;
  onDead: () => void;
  onRtt?: (ms: number) => void;
}

export class Heartbeat {
  private lastSeen = performance.now();
  private pingSentAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private timing: HeartbeatTiming;
  private stopped = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly options: HeartbeatOptions,
  ) {
    this.timing = { pingIntervalMs: options.pingIntervalMs, deadAfterMs: options.deadAfterMs };
    const seen = () => {
      this.lastSeen = performance.now();
    };
    ws.on('message', seen);
    ws.on('ping', seen);
    options.socket?.on('data', seen);
    ws.on('pong', () => {
      seen();
      if (this.pingSentAt !== null) {
        options.onRtt?.(performance.now() - this.pingSentAt);
        this.pingSentAt = null;
      }
    });
    this.schedule();
    // A first ping at once, so that latency is known as soon as the socket is up.
    if (this.timing.pingIntervalMs !== null) this.ping();
  }

  /** Switches to new timings (the connector, once the platform's hello result names heartbeatMs). */
  retime(timing: HeartbeatTiming): void {
    if (this.stopped) return;
    this.timing = timing;
    this.schedule();
  }

  private schedule(): void {
    this.clearTimers();
    const { pingIntervalMs, deadAfterMs } = this.timing;
    // Checked often enough that a dead peer is noticed within a tenth of deadAfterMs of the limit.
    this.timer = setInterval(() => this.check(), Math.max(10, Math.floor(deadAfterMs / 10)));
    this.timer.unref();
    // Pings on their own timer, so that they go out every pingIntervalMs exactly (PROTOCOL §1),
    // not at the first death check past it (which was up to a tenth of deadAfterMs late).
    if (pingIntervalMs !== null) {
      this.pingTimer = setInterval(() => this.ping(), Math.max(10, pingIntervalMs));
      this.pingTimer.unref();
    }
  }

  private check(): void {
    if (performance.now() - this.lastSeen > this.timing.deadAfterMs) {
      this.stop();
      this.options.onDead();
    }
  }

  private ping(): void {
    this.pingSentAt = performance.now();
    try {
      this.ws.ping();
    } catch {
      // socket already closing; the close handler takes over
    }
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
  }

  private clearTimers(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.timer = null;
    this.pingTimer = null;
  }
}
