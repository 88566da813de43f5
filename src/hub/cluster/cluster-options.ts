// How one hub instance joins a cluster (`cloud-connector hub --redis … --cluster-secret-file …`),
// and the timings of its lease, registry and graceful exit. Defaults suit production; tests pass
// shorter ones so that "within a lease period" takes seconds, not minutes.

export interface ClusterOptions {
  /** redis://HOST:PORT[/DB] */
  redisUrl: string;
  /** Where other instances reach this one for forwarded calls (default: its own HTTP address). */
  advertiseUrl?: string;
  /** Shared by every instance; authenticates forwarded calls. At least 32 characters. */
  secret: string;
  timings?: Partial<ClusterTimings>;
}

export interface ClusterTimings {
  /** An instance's lease (and its sessions' entries) expire this long after its last renewal. */
  leaseMs: number;
  /** How often the lease is renewed (a third of the lease: two renewals may fail before it lapses). */
  renewMs: number;
  /** How often the registry is read into this instance's routing cache. */
  pollMs: number;
  /**
   * While Redis is unreachable, routes last read stay usable this long (an instance found dead by a
   * failed forward is skipped at once); past it, calls for connectors on other instances get 503.
   */
  outageCacheMs: number;
  /** On SIGTERM: how long /readyz says 503 before goaway, so the load balancer stops sending connectors here. */
  notReadyLeadMs: number;
  /** goaway is sent to this instance's connectors spread over this time, not all at once. */
  goawaySpreadMs: number;
  /** Longest wait for this instance's connectors to move and its calls to finish. */
  drainMs: number;
  /**
   * How long an idempotency record (the first answer, sealed) is kept: long enough for a caller's
   * retries after a failure, and no longer — a lookup's answer is a patient's data.
   */
  idempotencyTtlMs: number;
}

export const DEFAULT_CLUSTER_TIMINGS: ClusterTimings = {
  leaseMs: 6_000,
  renewMs: 2_000,
  pollMs: 500,
  outageCacheMs: 30_000,
  notReadyLeadMs: 3_000,
  goawaySpreadMs: 3_000,
  drainMs: 30_000,
  idempotencyTtlMs: 15 * 60_000,
};

export const MIN_CLUSTER_SECRET_LENGTH = 32;

export function clusterTimings(options: ClusterOptions): ClusterTimings {
  const timings = { ...DEFAULT_CLUSTER_TIMINGS, ...options.timings };
  if (!options.timings?.renewMs) timings.renewMs = Math.max(100, Math.floor(timings.leaseMs / 3));
  if (!options.timings?.outageCacheMs) timings.outageCacheMs = 5 * timings.leaseMs;
  return timings;
}

/** Validates a redis:// URL, keeping the password out of any message. */
export function checkRedisUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '--redis must be a URL such as redis://127.0.0.1:6379/0.';
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    return '--redis must start with redis:// or rediss://.';
  if (!parsed.hostname) return '--redis needs a host.';
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) return '--redis: the path is a database number (0–15).';
  return null;
}
