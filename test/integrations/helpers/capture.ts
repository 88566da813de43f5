// Scanning what the connector said for personal data: a logger that keeps every line, and
// an assertion that no text contains any of the given values.
import assert from 'node:assert/strict';
import { formatLogLine, type LogFields, type Logger } from '../../../src/main/core/logger.js';

export function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (message: string, fields?: LogFields) => {
    lines.push(formatLogLine(level, message, fields));
  };
  return { lines, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** Fails if any text contains any secret value (case-insensitive). */
export function assertNoPersonalData(texts: string[], values: string[]): void {
  for (const text of texts) {
    for (const value of values) {
      assert.ok(!text.toLowerCase().includes(value.toLowerCase()), `personal data "${value}" leaked into: ${text}`);
    }
  }
}

/** The error's reason and message, for scanning; fails when the error is not an RpcError. */
export async function rpcFailure(promise: Promise<unknown>): Promise<{ reason: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { reason?: string; message?: string; name?: string };
    assert.equal(e.name, 'RpcError', `expected an RpcError, got ${String(error)}`);
    return { reason: e.reason ?? '', message: e.message ?? '' };
  }
  assert.fail('expected the call to fail');
}
