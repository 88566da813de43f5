// The instance's Redis connection (ioredis). Commands fail at once while Redis is unreachable
// instead of queueing: a call must never wait on Redis, it is answered from the routing cache or
// refused. `up` is what /metrics reports as cc_hub_redis_up.
import { Redis } from 'ioredis';
import type { Logger } from '../../main/core/logger.js';

export type RedisClient = Redis;

export interface RedisConnection {
  client: Redis;
  /** Connected, and answering its probe (a connection can stay open to a Redis that hangs). */
  readonly up: boolean;
  close(): Promise<void>;
}

const PROBE_MS = 1_000;

export async function connectRedis(url: string, logger: Logger): Promise<RedisConnection> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 1_000,
    connectTimeout: 2_000,
    // Reconnect quickly and for ever: Redis coming back must be noticed within a poll or two.
    retryStrategy: (attempt) => Math.min(100 * attempt, 1_000),
  });
  let wasUp = false;
  // A Redis that hangs (frozen VM, partition without reset) keeps its connection "ready": only
  // commands timing out show it. A ping every second tells, so that `up` (and cc_hub_redis_up, and
  // keyed calls, which refuse at once) does not trust a Redis that no longer answers.
  let stalled = false;
  const probe = setInterval(() => {
    if (client.status !== 'ready') return;
    client.ping().then(
      () => {
        if (stalled) logger.info('cluster: Redis answers again');
        stalled = false;
      },
      () => {
        if (!stalled && client.status === 'ready') logger.warn('cluster: Redis connected but not answering');
        stalled = client.status === 'ready';
      },
    );
  }, PROBE_MS);
  probe.unref();
  client.on('ready', () => {
    if (!wasUp) logger.info('cluster: Redis connected');
    wasUp = true;
    stalled = false;
  });
  client.on('error', () => {
    // Reported once per outage through 'end'/'close'; the error text may name the host only.
  });
  client.on('close', () => {
    if (wasUp) logger.warn('cluster: Redis connection lost; routing from the cache, raising no alert');
    wasUp = false;
  });
  try {
    await client.connect();
  } catch {
    logger.warn('cluster: Redis not reachable at start; retrying in the background');
  }
  return {
    client,
    get up() {
      return client.status === 'ready' && !stalled;
    },
    async close() {
      clearInterval(probe);
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
