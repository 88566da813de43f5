// PROTOCOL §8 routing: the connected, non-draining connector of (tenant, environment) that
// advertises the method and has the fewest calls in flight, ties broken at random; one retry on
// another connector when the first drops or answers busy/draining.
import type { CallOutcome, ConnectorSession } from './connector-session.js';

export function pickConnector(
  sessions: Iterable<ConnectorSession>,
  tenant: string,
  environment: string,
  method: string,
  exclude: ReadonlySet<ConnectorSession> = new Set(),
  random: () => number = Math.random,
): ConnectorSession | null {
  let best: ConnectorSession[] = [];
  for (const s of sessions) {
    if (exclude.has(s) || !s.isOpen || s.draining) continue;
    if (s.tenant !== tenant || s.hello.environment !== environment || !s.advertises(method)) continue;
    if (best.length === 0 || s.inFlight < (best[0] as ConnectorSession).inFlight) best = [s];
    else if (s.inFlight === (best[0] as ConnectorSession).inFlight) best.push(s);
  }
  if (best.length === 0) return null;
  return best[Math.floor(random() * best.length)] as ConnectorSession;
}

export type RetryReason = 'dropped' | 'busy' | 'draining';

/** Why the call should go to another connector, or null when its outcome stands. */
export function retryReason(outcome: CallOutcome): RetryReason | null {
  if (outcome.kind === 'dropped') return 'dropped';
  if (outcome.kind !== 'error') return null;
  const reason = outcome.error.data?.reason;
  return reason === 'busy' || reason === 'draining' ? reason : null;
}

export function shouldRetryElsewhere(outcome: CallOutcome): boolean {
  return retryReason(outcome) !== null;
}

export interface RoutedOutcome {
  outcome: CallOutcome | { kind: 'no_connector' };
  attempts: number;
}

/** Routes one call; `onRetry` is told each time a second connector is actually tried. */
export async function routeCall(
  sessions: () => Iterable<ConnectorSession>,
  request: { tenant: string; environment: string; method: string; params: unknown; waitMs: number },
  onRetry?: (why: RetryReason) => void,
): Promise<RoutedOutcome> {
  const tried = new Set<ConnectorSession>();
  let last: CallOutcome | null = null;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const target = pickConnector(sessions(), request.tenant, request.environment, request.method, tried);
    if (!target) break;
    const why = last ? retryReason(last) : null;
    if (why) onRetry?.(why);
    tried.add(target);
    last = await target.call(request.method, request.params, request.waitMs);
    if (!shouldRetryElsewhere(last)) return { outcome: last, attempts: attempt };
  }
  return { outcome: last ?? { kind: 'no_connector' }, attempts: tried.size };
}
