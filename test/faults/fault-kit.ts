// Shared checks for the fault-injection suite: a burst of lookups whose every answer is checked
// against the identifier asked, and a tally of the connector's replies to catch a double answer.
import assert from 'node:assert/strict';
import type { Connector } from '../../src/main/core/connector.js';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';

/** Errors a caller may see while the network or a process fails: all clear, all retryable. */
export const TRANSIENT_REASONS = ['connection_lost', 'no_connector', 'source_timeout', 'busy', 'draining'];

export interface Answer {
  identifier: string;
  status: number;
  body: any;
  /** Set when the HTTP request itself failed (the platform process died under it). */
  networkError?: string;
  ms: number;
}

export type HubCall = (method: string, params: unknown) => Promise<{ status: number; body: any }>;

/** Identifiers of demo patients (the local identifier, lower case as the platform sends it). */
export function identifiers(n: number, offset = 0): string[] {
  return Array.from({ length: n }, (_, i) =>
    demoDirectory()
      .at(offset + i)
      .localIdentifier.toLowerCase(),
  );
}

/**
 * Runs every lookup, `concurrency` at a time; each promise settles with what its caller saw.
 * `answers` may be passed in to watch progress while the burst runs (see untilAnswered).
 */
export async function lookupBurst(
  call: HubCall,
  ids: string[],
  concurrency: number,
  gapMs = 0,
  answers: Answer[] = [],
): Promise<Answer[]> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ids.length) {
        const identifier = ids[next++] as string;
        const t0 = performance.now();
        try {
          const res = await call('patient.lookup', { identificationNumber: identifier });
          answers.push({ identifier, status: res.status, body: res.body, ms: performance.now() - t0 });
        } catch (error) {
          const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
          answers.push({ identifier, status: 0, body: null, networkError: cause, ms: performance.now() - t0 });
        }
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    }),
  );
  return answers;
}

/**
 * Every caller got exactly one answer: the right patient, or an error that says what happened
 * (a known, retryable reason), or — only if `networkErrorsAllowed` — a failed connection to the
 * platform itself. Returns how many succeeded.
 */
export function assertEachAnswered(
  answers: Answer[],
  expected: number,
  options: { reasons?: string[]; networkErrorsAllowed?: boolean } = {},
): number {
  const reasons = options.reasons ?? TRANSIENT_REASONS;
  assert.equal(answers.length, expected, 'one answer per call');
  let ok = 0;
  for (const a of answers) {
    if (a.networkError !== undefined) {
      assert.ok(options.networkErrorsAllowed, `the request to the platform failed: ${a.networkError}`);
      continue;
    }
    if (a.status === 200) {
      assert.equal(
        a.body?.result?.patient?.localIdentifier?.toLowerCase(),
        a.identifier,
        'the answer is for the patient asked',
      );
      ok++;
      continue;
    }
    const error = a.body?.error;
    assert.ok(error, `HTTP ${a.status} carries an error object`);
    assert.ok(reasons.includes(error.reason), `unexpected reason ${error.reason} (HTTP ${a.status})`);
    assert.equal(typeof error.message, 'string');
    assert.ok(error.message.length > 0);
    assert.ok(!error.message.includes(a.identifier), 'the error message never repeats the identifier');
  }
  return ok;
}

/** Records the connector's replies by (session, request id): a second reply to one request is a bug. */
export function replyTally(connector: Connector): { duplicates(): string[]; count(): number } {
  const seen = new Map<string, number>();
  connector.on('call', (call) => {
    if (call.requestId === null) return;
    const key = `${call.sessionId ?? call.channelId}/${String(call.requestId)}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  });
  return {
    duplicates: () => [...seen].filter(([, n]) => n > 1).map(([k]) => k),
    count: () => seen.size,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Waits until `n` calls of a running burst have been answered, so that a fault injected next
 * lands on a connection that demonstrably worked, however slow the machine is.
 */
export async function untilAnswered(answers: Answer[], n: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (answers.length < n) {
    assert.ok(Date.now() < deadline, `only ${answers.length} of ${n} calls answered before the fault`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until the platform has calls in flight on a connector, so that a fault lands on them. */
export async function untilInFlight(inFlight: () => number | Promise<number>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await inFlight()) === 0) {
    assert.ok(Date.now() < deadline, 'no call was in flight before the fault');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Calls in flight on every connector of a hub, read through its HTTP API (for hub processes). */
export async function hubInFlight(httpUrl: string, apiKey: string): Promise<number> {
  const res = await fetch(`${httpUrl}/v1/connectors`, { headers: { authorization: `Bearer ${apiKey}` } });
  const body = (await res.json()) as { connectors: { inFlight: number }[] };
  return body.connectors.reduce((sum, c) => sum + c.inFlight, 0);
}
