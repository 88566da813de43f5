// Delivers alert events to an operator's webhook: one JSON POST per event, in order, each retried
// with exponential backoff until it is accepted (2xx) or the attempts run out. The URL is never
// logged: chat webhooks carry their secret in the path.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../main/core/logger.js';

export interface WebhookOptions {
  url: string;
  /** Attempts per event, the first included (default 6: about a minute of trying). */
  attempts?: number;
  baseDelayMs?: number;
  capDelayMs?: number;
  /** Per-attempt time limit (default 5 s). */
  timeoutMs?: number;
  /** Events waiting beyond this are dropped, oldest first (default 1000). */
  maxQueue?: number;
  logger: Logger;
  onDelivered?: () => void;
  onFailed?: () => void;
}

export class WebhookNotifier {
  private readonly queue: unknown[] = [];
  private running = false;
  private readonly stopped = new AbortController();

  constructor(private readonly options: WebhookOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error('The alert webhook must be an http:// or https:// URL.');
    }
  }

  send(event: unknown): void {
    if (this.stopped.signal.aborted) return;
    this.queue.push(event);
    const max = this.options.maxQueue ?? 1000;
    if (this.queue.length > max) {
      this.queue.shift();
      this.options.logger.warn('alert webhook queue full; dropped the oldest event');
      this.options.onFailed?.();
    }
    if (!this.running) void this.drain();
  }

  /** Resolves when every queued event has been delivered or given up on (or `close` was called). */
  async idle(): Promise<void> {
    while (this.running) await sleep(10);
  }

  close(): void {
    this.stopped.abort();
    this.queue.length = 0;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.stopped.signal.aborted) {
        const event = this.queue.shift();
        const ok = await this.deliver(event);
        if (ok) this.options.onDelivered?.();
        else if (!this.stopped.signal.aborted) {
          this.options.onFailed?.();
          this.options.logger.error('alert webhook: gave up on an event after every attempt failed');
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async deliver(event: unknown): Promise<boolean> {
    const attempts = this.options.attempts ?? 6;
    const base = this.options.baseDelayMs ?? 1_000;
    const cap = this.options.capDelayMs ?? 30_000;
    const body = JSON.stringify(event);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.stopped.signal.aborted) return false;
      const outcome = await this.post(body);
      if (outcome === 'ok') return true;
      if (outcome === 'permanent') {
        this.options.logger.error('alert webhook refused the event; not retrying', { attempt });
        return false;
      }
      this.options.logger.warn('alert webhook delivery failed; retrying', { attempt, of: attempts, cause: outcome });
      if (attempt < attempts) {
        try {
          await sleep(Math.min(cap, base * 2 ** (attempt - 1)), undefined, { signal: this.stopped.signal });
        } catch {
          return false;
        }
      }
    }
    return false;
  }

  private async post(body: string): Promise<'ok' | 'permanent' | string> {
    try {
      const res = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.any([this.stopped.signal, AbortSignal.timeout(this.options.timeoutMs ?? 5_000)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return 'ok';
      // 408 and 429 and any 5xx may pass; another 4xx means the receiver will never take it.
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) return 'permanent';
      return `HTTP ${res.status}`;
    } catch (error) {
      return error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'not reachable';
    }
  }
}
