// `Idempotency-Key`: the cluster executes a keyed call at most once, and a retry of it — on any
// instance, even after the instance that first received it died — gets the first answer.
//
// cc:idem:<sha256(tenant, environment, method, key)> holds either
//   {"state":"pending","owner":<instance>,"until":<epoch ms>}   while the first attempt runs, or
//   {"state":"done","outcome":…}                                 once it has a final answer.
// The instance holding the connector writes "done" too (forwarding.ts), so the answer survives
// the death of the instance that received the call. `<record>:holder` names the instance the call
// was sent to. A pending record whose owner's lease has lapsed is taken over (an atomic
// compare-and-set) and the call runs again — at once when its holder is gone too, else only past
// `until`, when the holder can no longer answer it. Answers that invite a retry (timeouts, busy,
// no connector) are not kept.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { CallOutcome } from '../connector-session.js';
import { hubError } from '../http-status.js';
import type { PlaneOutcome } from './coordinator.js';
import type { RedisConnection } from './redis-client.js';

const recordSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('pending'), owner: z.string(), until: z.number() }),
  z.object({ state: z.literal('done'), outcome: z.unknown() }),
]);

const TAKE_OVER = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0`;
const ABANDON = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end return 0`;

const POLL_MS = 100;

/** A final outcome is the answer for good: a result, or an error the caller should not retry. */
export function isFinal(outcome: PlaneOutcome): outcome is CallOutcome {
  if (outcome.kind === 'result') return true;
  if (outcome.kind !== 'error') return false;
  const retryable = (outcome.error.data as { retryable?: unknown } | undefined)?.retryable;
  return retryable === false;
}

export class Idempotency {
  constructor(
    private readonly redis: RedisConnection,
    private readonly instanceId: string,
    private readonly ttlMs: number,
    /** Whether an instance's lease holds, as the routing cache sees it. */
    private readonly instanceAlive: (id: string) => boolean,
  ) {}

  static recordKey(tenant: string, environment: string, method: string, key: string): string {
    const digest = createHash('sha256')
      .update(JSON.stringify([tenant, environment, method, key]))
      .digest('hex');
    return `cc:idem:${digest}`;
  }

  /** Runs `execute` at most once per key across the cluster; later callers get its answer. */
  async run(
    recordKey: string,
    waitMs: number,
    execute: (recordKey: string) => Promise<PlaneOutcome>,
  ): Promise<PlaneOutcome> {
    if (!this.redis.up) return unavailable();
    const deadline = Date.now() + waitMs + 10_000;
    let pending = this.pendingRecord(waitMs);
    let seen: string | null;
    try {
      seen = (await this.redis.client.call('SET', recordKey, pending, 'PX', String(this.ttlMs), 'NX', 'GET')) as
        | string
        | null;
    } catch {
      return unavailable();
    }
    while (seen !== null) {
      const record = parse(seen);
      if (record?.state === 'done') return record.outcome as CallOutcome;
      if (Date.now() > deadline) {
        return {
          kind: 'refused',
          error: hubError(409, 'in_progress', 'This call is still being answered; retry later.', true),
        };
      }
      let orphaned = !record;
      if (record?.state === 'pending' && !this.instanceAlive(record.owner)) {
        const holder = await this.redis.client.get(`${recordKey}:holder`).catch(() => undefined);
        const holderGone = holder === null || (holder !== undefined && !this.instanceAlive(holder));
        orphaned = holderGone || Date.now() > record.until;
      }
      if (orphaned) {
        pending = this.pendingRecord(waitMs);
        const took = await this.redis.client
          .eval(TAKE_OVER, 1, recordKey, seen, pending, String(this.ttlMs))
          .catch(() => null);
        if (took === 1) break;
      }
      await sleep(POLL_MS);
      try {
        seen = (await this.redis.client.call('SET', recordKey, pending, 'PX', String(this.ttlMs), 'NX', 'GET')) as
          | string
          | null;
      } catch {
        return unavailable();
      }
    }
    const outcome = await execute(recordKey);
    if (isFinal(outcome)) await this.complete(recordKey, outcome).catch(() => undefined);
    else await this.redis.client.eval(ABANDON, 1, recordKey, pending).catch(() => undefined);
    return outcome;
  }

  /** Notes which instance holds the connector this attempt went to. */
  async markHolder(recordKey: string, instanceId: string): Promise<void> {
    await this.redis.client.set(`${recordKey}:holder`, instanceId, 'PX', this.ttlMs);
  }

  /** Keeps a final answer under the record (called by the receiver and by the holder). */
  async complete(recordKey: string, outcome: CallOutcome): Promise<void> {
    if (!isFinal(outcome)) return;
    await this.redis.client.set(recordKey, JSON.stringify({ state: 'done', outcome }), 'PX', this.ttlMs);
  }

  private pendingRecord(waitMs: number): string {
    return JSON.stringify({ state: 'pending', owner: this.instanceId, until: Date.now() + waitMs + 1_000 });
  }
}

function parse(text: string): z.infer<typeof recordSchema> | null {
  try {
    const parsed = recordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function unavailable(): PlaneOutcome {
  return {
    kind: 'refused',
    error: hubError(
      503,
      'cluster_unavailable',
      'The platform cannot guarantee this call runs once right now (its coordination store is unreachable); retry shortly.',
      true,
    ),
  };
}
