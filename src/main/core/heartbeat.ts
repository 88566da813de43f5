// WebSocket-level heartbeat shared by both halves (PROTOCOL.md §1): ping every interval, and a
// peer silent for longer than deadAfterMs is terminated without a closing handshake.
import type WebSocket from 'ws';

export interface HeartbeatOptions {
  pingIntervalMs: number;
  deadAfterMs: number;
  onDead: () => void;
  onRtt?: (ms: number) => void;
}

export class Heartbeat {
  private lastSeen = performance.now();
  private lastPingAt = Number.NEGATIVE_INFINITY;
  private pingSentAt: number | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    private readonly options: HeartbeatOptions,
  ) {
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
    // Checked often enough that a dead peer is noticed within a tenth of deadAfterMs of the limit.
    const tick = Math.max(10, Math.min(options.pingIntervalMs, Math.floor(options.deadAfterMs / 10)));
    this.timer = setInterval(() => this.check(), tick);
    this.timer.unref();
    // A first ping at once, so that latency is known as soon as the socket is up.
    this.check();
  }

  private check(): void {
    const now = performance.now();
    if (now - this.lastSeen > this.options.deadAfterMs) {
      this.stop();
      this.options.onDead();
      return;
    }
    if (now - this.lastPingAt >= this.options.pingIntervalMs) {
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
    clearInterval(this.timer);
  }
}
