// The cluster's registry in Redis: each instance holds a lease (a key that expires unless renewed)
// and, under the same expiry, a hash of the connector sessions whose sockets it holds. Every
// instance reads the whole registry a few times a second into a snapshot it routes from; an
// instance whose lease key is gone is dead: its entries are never chosen and are deleted.
//
//   cc:instances          set of instance ids (an index; the lease key is the truth)
//   cc:instance:<id>      {"advertise","draining","startedAt"}        PX leaseMs
//   cc:sessions:<id>      sessionId → ConnectorInfo JSON              PX leaseMs
import { z } from 'zod';
import type { Logger } from '../../main/core/logger.js';
import type { ConnectorInfo, ConnectorSession } from '../connector-session.js';
import type { ClusterTimings } from './cluster-options.js';
import type { RedisClient } from './redis-client.js';

export const KEYS = {
  instances: 'cc:instances',
  instance: (id: string) => `cc:instance:${id}`,
  sessions: (id: string) => `cc:sessions:${id}`,
};

const instanceRecordSchema = z.object({
  advertise: z.string().min(1),
  draining: z.boolean(),
  startedAt: z.string(),
});

// The fields routing and the cluster-wide listing need; any others a session reports pass through.
const sessionRecordSchema = z.looseObject({
  sessionId: z.string(),
  connectorId: z.string(),
  tenant: z.string(),
  environment: z.string(),
  name: z.string(),
  version: z.string(),
  methods: z.array(z.string()),
  maxConcurrency: z.number(),
  inFlight: z.number(),
  draining: z.boolean(),
  connectedAt: z.string(),
  sources: z.record(z.string(), z.enum(['up', 'down', 'unconfigured'])),
});

export interface InstanceEntry {
  id: string;
  advertise: string;
  draining: boolean;
  /** performance.now() after which the lease has lapsed, as seen at the last read. */
  expiresAt: number;
}

export interface SessionEntry extends ConnectorInfo {
  instanceId: string;
}

export interface Snapshot {
  /** performance.now() of the read; 0 before the first successful read. */
  readAt: number;
  instances: Map<string, InstanceEntry>;
  sessions: SessionEntry[];
}

export class Registry {
  private snapshot: Snapshot = { readAt: 0, instances: new Map(), sessions: [] };
  private draining = false;
  private released = false;
  /** performance.now() until which this instance's own lease is known to hold. */
  private leaseUntil = 0;
  /** What the registry last heard of each local session, to write only what changed. */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly redis: RedisClient,
    readonly instanceId: string,
    private readonly advertise: () => string,
    private readonly timings: ClusterTimings,
    private readonly localSessions: () => Iterable<ConnectorSession>,
    private readonly logger: Logger,
  ) {}

  get leaseHeld(): boolean {
    return !this.released && performance.now() < this.leaseUntil;
  }

  current(): Snapshot {
    return this.snapshot;
  }

  /** Renews the lease and rewrites this instance's sessions as they are now (heals any gap). */
  async renew(): Promise<void> {
    if (this.released) return;
    const sent = performance.now();
    const record = JSON.stringify({
      advertise: this.advertise(),
      draining: this.draining,
      startedAt: this.startedAt,
    });
    const sessions = this.openSessions();
    const tx = this.redis.multi();
    tx.set(KEYS.instance(this.instanceId), record, 'PX', this.timings.leaseMs);
    tx.sadd(KEYS.instances, this.instanceId);
    tx.del(KEYS.sessions(this.instanceId));
    if (sessions.length > 0) {
      tx.hset(KEYS.sessions(this.instanceId), ...sessions.flat());
      tx.pexpire(KEYS.sessions(this.instanceId), this.timings.leaseMs);
    }
    await tx.exec();
    this.written.clear();
    for (const [id, json] of sessions) this.written.set(id, json);
    this.leaseUntil = sent + this.timings.leaseMs;
  }

  /** Writes local sessions whose entry changed (opened, in-flight count, draining, health) since last written. */
  async flushChanges(): Promise<void> {
    if (this.released || !this.leaseHeld) return;
    const sessions = this.openSessions();
    const changed = sessions.filter(([id, json]) => this.written.get(id) !== json);
    const gone = [...this.written.keys()].filter((id) => !sessions.some(([s]) => s === id));
    if (changed.length === 0 && gone.length === 0) return;
    const tx = this.redis.multi();
    if (changed.length > 0) {
      tx.hset(KEYS.sessions(this.instanceId), ...changed.flat());
      tx.pexpire(KEYS.sessions(this.instanceId), this.timings.leaseMs);
    }
    if (gone.length > 0) tx.hdel(KEYS.sessions(this.instanceId), ...gone);
    await tx.exec();
    for (const [id, json] of changed) this.written.set(id, json);
    for (const id of gone) this.written.delete(id);
  }

  /** Reads every live instance and its sessions; deletes the entries of instances whose lease lapsed. */
  async read(): Promise<Snapshot> {
    const ids = await this.redis.smembers(KEYS.instances);
    const pipe = this.redis.pipeline();
    for (const id of ids) {
      pipe.get(KEYS.instance(id));
      pipe.pttl(KEYS.instance(id));
      pipe.hgetall(KEYS.sessions(id));
    }
    const replies = (await pipe.exec()) ?? [];
    const readAt = performance.now();
    const instances = new Map<string, InstanceEntry>();
    const sessions: SessionEntry[] = [];
    const dead: string[] = [];
    ids.forEach((id, i) => {
      const [recordErr, recordText] = replies[i * 3] ?? [];
      const [, ttl] = replies[i * 3 + 1] ?? [];
      const [sessionsErr, hash] = replies[i * 3 + 2] ?? [];
      if (recordErr || sessionsErr) return;
      const record = parseJson(instanceRecordSchema, recordText);
      if (!record || typeof ttl !== 'number' || ttl <= 0) {
        if (recordText === null) dead.push(id);
        return;
      }
      instances.set(id, { id, advertise: record.advertise, draining: record.draining, expiresAt: readAt + ttl });
      for (const text of Object.values((hash ?? {}) as Record<string, string>)) {
        const session = parseJson(sessionRecordSchema, text);
        if (session) sessions.push({ ...session, instanceId: id });
      }
    });
    if (dead.length > 0) {
      const cleanup = this.redis.multi();
      cleanup.srem(KEYS.instances, ...dead);
      for (const id of dead) cleanup.del(KEYS.sessions(id));
      await cleanup.exec();
      this.logger.info('cluster: removed the entries of instances whose lease lapsed', { instances: dead.length });
    }
    this.snapshot = { readAt, instances, sessions };
    return this.snapshot;
  }

  /** Draining is written at once, so that other instances stop preferring this one. */
  async markDraining(): Promise<void> {
    this.draining = true;
    await this.renew();
  }

  /** Gives the lease up (a clean exit): the other instances forget this one at once. */
  async release(): Promise<void> {
    this.released = true;
    const tx = this.redis.multi();
    tx.del(KEYS.instance(this.instanceId));
    tx.del(KEYS.sessions(this.instanceId));
    tx.srem(KEYS.instances, this.instanceId);
    await tx.exec();
  }

  private readonly startedAt = new Date().toISOString();

  private openSessions(): Array<[string, string]> {
    return [...this.localSessions()].filter((s) => s.isOpen).map((s) => [s.sessionId, JSON.stringify(s.info())]);
  }
}

function parseJson<T>(schema: z.ZodType<T>, text: unknown): T | null {
  if (typeof text !== 'string') return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
