// WebSocket-level heartbeat of PROTOCOL.md §1. Only the connector pings (every heartbeatMs); the
// platform answers with pongs and pings nothing. Both ends watch: a peer from which nothing (ping,
// pong or any frame) has arrived for deadAfterMs (2 × heartbeatMs + 5 s) is terminated without a
// closing handshake. The connector starts at 15 s and follows the platform's choice once the
// hello result names it (`retime`).
import type WebSocket from 'ws';

export interface HeartbeatTiming {
  /** How often to ping; null for the side that only answers (the platform). */
  pingIntervalMs: number | null;
  deadAfterMs: number;
}

export interface HeartbeatOptions extends HeartbeatTiming {
  onDead: () => void;
  onRtt?: (ms: number) => void;
}

export class Heartbeat {
  private lastSeen = performance.now();
  private lastPingAt = Number.NEGATIVE_INFINITY;
  private pingSentAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
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
    ws.on('pong', () => {
      seen();
      if (this.pingSentAt !== null) {
        options.onRtt?.(performance.now() - this.pingSentAt);
        this.pingSentAt = null;
      }
    });
    this.schedule();
    // A first ping at once, so that latency is known as soon as the socket is up.
    this.check();
  }

  /** Switches to new timings (the connector, once the platform's hello result names heartbeatMs). */
  retime(timing: HeartbeatTiming): void {
    if (this.stopped) return;
    this.timing = timing;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    const { pingIntervalMs, deadAfterMs } = this.timing;
    // Checked often enough that a dead peer is noticed within a tenth of deadAfterMs of the limit.
    const tick = Math.max(10, Math.min(pingIntervalMs ?? deadAfterMs, Math.floor(deadAfterMs / 10)));
    this.timer = setInterval(() => this.check(), tick);
    this.timer.unref();
  }

  private check(): void {
    const now = performance.now();
    if (now - this.lastSeen > this.timing.deadAfterMs) {
      this.stop();
      this.options.onDead();
      return;
    }
    const interval = this.timing.pingIntervalMs;
    if (interval !== null && now - this.lastPingAt >= interval) {
      this.lastPingAt = now;
      this.pingSentAt = now;
      try {
        this.ws.ping();
      } catch {
        // socket already closing; the close handler takes over
      }
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }
}
