// `Idempotency-Key`: the cluster executes a keyed call at most once, and a retry of it — on any
// instance, even after the instance that first received it died — gets the first answer.
//
// cc:idem:<hmac(tenant, environment, method, key)> holds either
//   {"state":"pending","owner":<instance>,"until":<epoch ms>,"params":<hmac>}  while the first attempt runs, or
//   {"state":"done","params":<hmac>,"sealed":<AES-GCM of the outcome>}         once it has a final answer
// (idempotency-seal.ts: Redis sees no tenant, no key, no params and no answer in the clear). A key
// reused for a call with other params is refused (422), never answered with the first call's answer.
// The instance holding the connector writes "done" too (forwarding.ts), so the answer survives
// the death of the instance that received the call. `<record>:holder` names the instance the call
// was sent to. A pending record whose owner's lease has lapsed is taken over (an atomic
// compare-and-set) and the call runs again — at once when its holder is gone too, else only past
// `until`, when the holder can no longer answer it. Answers that invite a retry (timeouts, busy,
// no connector) are not kept. A final answer is kept for minutes (cluster-options.ts), long enough for a caller's retries.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { CallOutcome } from '../connector-session.js';
import { hubError } from '../http-status.js';
import type { PlaneOutcome } from './coordinator.js';
import { IdempotencySeal } from './idempotency-seal.js';
import type { RedisConnection } from './redis-client.js';

const recordSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('pending'), owner: z.string(), until: z.number(), params: z.string() }),
  z.object({ state: z.literal('done'), params: z.string(), sealed: z.string() }),
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
  private readonly seal: IdempotencySeal;
  private readonly ttlMs: number;
  private readonly instanceAlive: (id: string) => boolean;

  constructor(
    private readonly redis: RedisConnection,
    private readonly instanceId: string,
    options: {
      /** How long a final answer is kept. */
      ttlMs: number;
      /** The cluster secret: names, fingerprints and seals the records. */
      secret: string;
      /** Whether an instance's lease holds, as the routing cache sees it. */
      instanceAlive: (id: string) => boolean;
    },
  ) {
    this.seal = new IdempotencySeal(options.secret);
    this.ttlMs = options.ttlMs;
    this.instanceAlive = options.instanceAlive;
  }

  recordKey(tenant: string, environment: string, method: string, key: string): string {
    return this.seal.recordKey(tenant, environment, method, key);
  }

  /** Runs `execute` at most once per key across the cluster; later callers get its answer. */
  async run(
    recordKey: string,
    params: unknown,
    waitMs: number,
    execute: (recordKey: string) => Promise<PlaneOutcome>,
  ): Promise<PlaneOutcome> {
    if (!this.redis.up) return unavailable();
    const digest = this.seal.paramsDigest(params);
    const deadline = Date.now() + waitMs + 10_000;
    // A pending record outlives the call it stands for, however short the answers' TTL.
    const pendingTtl = String(Math.max(this.ttlMs, waitMs + 60_000));
    let pending = this.pendingRecord(waitMs, digest);
    let seen: string | null;
    try {
      seen = (await this.redis.client.call('SET', recordKey, pending, 'PX', pendingTtl, 'NX', 'GET')) as string | null;
    } catch {
      return unavailable();
    }
    while (seen !== null) {
      const record = parse(seen);
      if (record && record.params !== digest) return reused();
      const answer = record?.state === 'done' ? this.seal.open(recordKey, record.sealed) : undefined;
      if (answer !== undefined) return answer as CallOutcome;
      if (Date.now() > deadline) {
        return {
          kind: 'refused',
          error: hubError(409, 'in_progress', 'This call is still being answered; retry later.', true),
        };
      }
      // Unreadable (altered, or sealed under another secret): not an answer; the call runs again.
      let orphaned = !record || record.state === 'done';
      if (record?.state === 'pending' && !this.instanceAlive(record.owner)) {
        const holder = await this.redis.client.get(`${recordKey}:holder`).catch(() => undefined);
        const holderGone = holder === null || (holder !== undefined && !this.instanceAlive(holder));
        orphaned = holderGone || Date.now() > record.until;
      }
      if (orphaned) {
        pending = this.pendingRecord(waitMs, digest);
        const took = await this.redis.client.eval(TAKE_OVER, 1, recordKey, seen, pending, pendingTtl).catch(() => null);
        if (took === 1) break;
      }
      await sleep(POLL_MS);
      try {
        seen = (await this.redis.client.call('SET', recordKey, pending, 'PX', pendingTtl, 'NX', 'GET')) as
          | string
          | null;
      } catch {
        return unavailable();
      }
    }
    const outcome = await execute(recordKey);
    if (isFinal(outcome)) await this.complete(recordKey, params, outcome).catch(() => undefined);
    else await this.redis.client.eval(ABANDON, 1, recordKey, pending).catch(() => undefined);
    return outcome;
  }

  /** Notes which instance holds the connector this attempt went to. */
  async markHolder(recordKey: string, instanceId: string): Promise<void> {
    await this.redis.client.set(`${recordKey}:holder`, instanceId, 'PX', this.ttlMs);
  }

  /** Keeps a final answer under the record (called by the receiver and by the holder). */
  async complete(recordKey: string, params: unknown, outcome: CallOutcome): Promise<void> {
    if (!isFinal(outcome)) return;
    const record = JSON.stringify({
      state: 'done',
      params: this.seal.paramsDigest(params),
      sealed: this.seal.seal(recordKey, outcome),
    });
    await this.redis.client.set(recordKey, record, 'PX', this.ttlMs);
  }

  /** The final answer already kept for this call (the holder finished it), or null. */
  async finished(recordKey: string, params: unknown): Promise<CallOutcome | null> {
    const record = parse((await this.redis.client.get(recordKey)) ?? '');
    if (record?.state !== 'done' || record.params !== this.seal.paramsDigest(params)) return null;
    return (this.seal.open(recordKey, record.sealed) as CallOutcome | undefined) ?? null;
  }

  private pendingRecord(waitMs: number, params: string): string {
    return JSON.stringify({ state: 'pending', owner: this.instanceId, until: Date.now() + waitMs + 1_000, params });
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

function reused(): PlaneOutcome {
  return {
    kind: 'refused',
    error: hubError(
      422,
      'idempotency_key_reused',
      'This Idempotency-Key was already used for a call with other params; use a new key for a new call.',
    ),
  };
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
