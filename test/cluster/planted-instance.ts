// An "instance" written straight into the registry, answering forwarded calls as a test decides:
// what whoever can write to Redis could plant, or a holder that dies at a chosen moment.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { connectRedis, type RedisConnection } from '../../src/hub/cluster/redis-client.js';
import { KEYS } from '../../src/hub/cluster/registry.js';
import { silentLogger } from '../../src/main/core/logger.js';

export interface PlantedInstance {
  redis: RedisConnection;
  /** The Authorization header of every forwarded call it received. */
  heard: string[];
}

export async function plantInstance(
  t: TestContext,
  redisUrl: string,
  pair: { tenant: string; environment: string },
  answer: (body: string, req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>,
): Promise<PlantedInstance> {
  const heard: string[] = [];
  const server = http.createServer((req, res) => {
    heard.push(String(req.headers.authorization));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void answer(Buffer.concat(chunks).toString('utf8'), req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const redis = await connectRedis(redisUrl, silentLogger);
  t.after(() => redis.close());
  const id = 'planted-instance';
  const session = {
    sessionId: 'planted-session',
    connectorId: 'planted-connector',
    ...pair,
    name: 'planted',
    version: '1.0.0',
    methods: ['patient.lookup', 'consent.store'],
    maxConcurrency: 4,
    inFlight: 0,
    draining: false,
    connectedAt: new Date().toISOString(),
    sources: {},
  };
  const advertise = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await redis.client
    .multi()
    .set(
      KEYS.instance(id),
      JSON.stringify({ advertise, draining: false, startedAt: session.connectedAt }),
      'PX',
      60_000,
    )
    .sadd(KEYS.instances, id)
    .hset(KEYS.sessions(id), session.sessionId, JSON.stringify(session))
    .exec();
  return { redis, heard };
}
