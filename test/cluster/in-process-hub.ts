// One clustered hub in this test's own process beside a redis-server of its own: for the tests
// that plant instances in Redis or watch one hub's view of it, without three hub processes.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { type Hub, type HubOptions, startHub } from '../../src/hub/hub-server.js';
import { silentLogger } from '../../src/main/core/logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { API_KEY, type RedisProcess, startRedis } from './harness.js';

export const TEST_CLUSTER_SECRET = 'cluster-secret-for-tests-0123456789abcdef';

export interface InProcessClusterHub {
  redis: RedisProcess;
  tokensFile: string;
  hub: Hub;
}

/** Redis and one hub joined to it (3 s lease, 100 ms poll), both stopped after the test. */
export async function startInProcessClusterHub(
  t: TestContext,
  options: Pick<HubOptions, 'deadlinesMs'> = {},
): Promise<InProcessClusterHub> {
  const dir = tempDir(t);
  const redis = await startRedis(t, dir);
  const tokensFile = path.join(dir, 'tokens.jsonl');
  writeFileSync(tokensFile, '');
  const hub = await startHub({
    port: 0,
    tokensFile,
    apiKeys: [API_KEY],
    logger: silentLogger,
    ...options,
    cluster: { redisUrl: redis.url, secret: TEST_CLUSTER_SECRET, timings: { leaseMs: 3_000, pollMs: 100 } },
  });
  t.after(() => hub.close({ graceful: false }));
  return { redis, tokensFile, hub };
}
