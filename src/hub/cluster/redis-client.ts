// The instance's Redis connection (ioredis). Commands fail at once while Redis is unreachable
// instead of queueing: a call must never wait on Redis, it is answered from the routing cache or
// refused. `up` is what /metrics reports as cc_hub_redis_up.
import { Redis } from 'ioredis';
import type { Logger } from '../../main/core/logger.js';

export type RedisClient = Redis;

export interface RedisConnection {
  client: Redis;
  /** Connected and the last command did not fail for want of a connection. */
  readonly up: boolean;
  close(): Promise<void>;
}

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
  client.on('ready', () => {
    if (!wasUp) logger.info('cluster: Redis connected');
    wasUp = true;
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
      return client.status === 'ready';
    },
    async close() {
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
