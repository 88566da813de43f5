// Alerts decided once for the whole cluster. Every instance watches the same pairs; the one that
// first finds a pair without a connector for the alert delay raises it with HSETNX on cc:alerts
// (atomic: exactly one instance wins) and alone delivers it to the webhook; clearing is HDEL,
// which also succeeds exactly once. Each event carries an `id` the receiver can deduplicate on.
//
// An instance only counts a pair as empty while its view is trustworthy: Redis reachable, and for
// at least one lease period (so that every live instance has renewed its entries since). An
// instance that has lost Redis raises nothing; its count starts again when Redis is back.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../../main/core/logger.js';
import type { AlertEvent } from '../alerts.js';
import type { RedisConnection } from './redis-client.js';

export const ALERTS_KEY = 'cc:alerts';

const HDEL_RETURNING = `local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then redis.call('HDEL', KEYS[1], ARGV[1]) end return v`;

const storedSchema = z.object({
  id: z.string(),
  alertId: z.string(),
  alert: z.enum(['no_connector', 'source_down']),
  status: z.literal('firing'),
  tenant: z.string(),
  environment: z.string(),
  connectorId: z.string().optional(),
  connectorName: z.string().optional(),
  source: z.string().optional(),
  since: z.string(),
  at: z.string(),
  message: z.string(),
});
export type ClusterAlertEvent = AlertEvent & { id: string; alertId: string };

export class ClusterAlerts {
  private readonly emptySince = new Map<string, number>();
  private upSince: number | null = null;

  constructor(
    private readonly redis: RedisConnection,
    private readonly options: {
      noConnectorAfterMs: number;
      leaseMs: number;
      deliver: (event: ClusterAlertEvent) => void;
      logger: Logger;
    },
  ) {}

  /** A source_down transition from this instance's monitor (only the holder hears connector.health). */
  async sourceTransition(event: AlertEvent): Promise<void> {
    if (event.alert !== 'source_down') return;
    if (event.status === 'firing') await this.raise(event);
    else await this.clear(fieldOf(event), event.message);
  }

  /**
   * After each registry read: counts every watched pair cluster-wide, raises the pairs empty for
   * the alert delay, and clears any active alert whose cause has gone (on whichever instance).
   */
  async evaluate(input: {
    fresh: boolean;
    pairs: Array<{ tenant: string; environment: string }>;
    usable: (tenant: string, environment: string) => number;
    /** connectorId → sources, of every live session in the cluster. */
    liveSources: Map<string, Record<string, string>>;
    /** Active alerts, read before the registry: a source alert raised after its state was written. */
    active: ClusterAlertEvent[];
  }): Promise<void> {
    const now = performance.now();
    if (!this.redis.up || !input.fresh) {
      this.upSince = null;
      this.emptySince.clear();
      return;
    }
    this.upSince ??= now;
    const trustworthy = now - this.upSince >= this.options.leaseMs;
    const active = input.active;
    const activeFields = new Set(active.map((a) => fieldOf(a)));
    for (const { tenant, environment } of input.pairs) {
      const field = fieldOf({ alert: 'no_connector', tenant, environment });
      if (input.usable(tenant, environment) > 0) {
        this.emptySince.delete(field);
        if (activeFields.has(field)) await this.clear(field, 'A connector is connected again; calls are answered.');
        continue;
      }
      if (!trustworthy) continue;
      const since = this.emptySince.get(field) ?? now;
      this.emptySince.set(field, since);
      const forMs = now - since;
      if (forMs < this.options.noConnectorAfterMs || activeFields.has(field)) continue;
      const sinceIso = new Date(Date.now() - forMs).toISOString();
      await this.raise({
        alert: 'no_connector',
        status: 'firing',
        tenant,
        environment,
        since: sinceIso,
        at: new Date().toISOString(),
        message:
          `No connector has been connected for tenant ${tenant}, environment ${environment}, ` +
          `for ${Math.round(forMs / 1000)} s: calls fail with 503 until one connects. Check the connector hosts and their network.`,
      });
    }
    // A source alert of a connector no longer anywhere (its instance died) or reporting it up again.
    for (const alert of active) {
      if (alert.alert !== 'source_down' || !alert.connectorId || !alert.source) continue;
      if (input.liveSources.get(alert.connectorId)?.[alert.source] === 'down') continue;
      await this.clear(fieldOf(alert), 'The data source is reachable again, or its connector has gone.');
    }
  }

  /**
   * Source alerts this instance's monitor holds as firing but the cluster does not: their raise
   * found Redis unreachable (or Redis came back empty). Raised now, still once (HSETNX).
   */
  async reassert(firing: AlertEvent[], active: ClusterAlertEvent[]): Promise<void> {
    if (!this.redis.up) return;
    const raised = new Set(active.map((a) => fieldOf(a)));
    for (const event of firing) if (!raised.has(fieldOf(event))) await this.raise(event);
  }

  async active(): Promise<ClusterAlertEvent[]> {
    const hash = await this.redis.client.hgetall(ALERTS_KEY);
    return Object.values(hash).flatMap((text) => {
      try {
        const parsed = storedSchema.safeParse(JSON.parse(text));
        return parsed.success ? [parsed.data as ClusterAlertEvent] : [];
      } catch {
        return [];
      }
    });
  }

  private async raise(event: AlertEvent): Promise<void> {
    if (!this.redis.up) return;
    const field = fieldOf(event);
    // New for every raise: an alert raised again after its clear must not look like the old one
    // to a receiver deduplicating on `id`.
    const alertId = randomBytes(16).toString('hex');
    const stored: ClusterAlertEvent = { ...event, status: 'firing', alertId, id: `${alertId}.firing` };
    const won = await this.redis.client.hsetnx(ALERTS_KEY, field, JSON.stringify(stored)).catch(() => 0);
    if (won !== 1) return;
    this.options.logger.warn(
      event.alert === 'no_connector'
        ? 'ALERT no connector for tenant and environment (raised for the cluster)'
        : 'ALERT connector reports a data source down (raised for the cluster)',
      { tenant: event.tenant, environment: event.environment, connectorId: event.connectorId, source: event.source },
    );
    this.options.deliver(stored);
  }

  private async clear(field: string, message: string): Promise<void> {
    if (!this.redis.up) return;
    const text = (await this.redis.client.eval(HDEL_RETURNING, 1, ALERTS_KEY, field).catch(() => null)) as
      | string
      | null;
    if (!text) return;
    let firing: ClusterAlertEvent;
    try {
      firing = storedSchema.parse(JSON.parse(text)) as ClusterAlertEvent;
    } catch {
      return;
    }
    this.options.logger.info('alert cleared for the cluster', {
      alert: firing.alert,
      tenant: firing.tenant,
      environment: firing.environment,
    });
    this.options.deliver({
      ...firing,
      status: 'resolved',
      id: `${firing.alertId}.resolved`,
      at: new Date().toISOString(),
      message,
    });
  }
}

function fieldOf(event: Pick<AlertEvent, 'alert' | 'tenant' | 'environment' | 'connectorId' | 'source'>): string {
  return JSON.stringify([event.alert, event.tenant, event.environment, event.connectorId ?? '', event.source ?? '']);
}
