// Shared helpers for the audit tests: synthetic call events and a raw SQLite connection that has
// none of the connector's functions, like any other tool a person might point at the file.
import Database from 'better-sqlite3';
import type { CallEvent } from '../../src/main/audit/entries.js';

export function callEvent(i: number, overrides: Partial<CallEvent> = {}): CallEvent {
  const methods = ['patient.lookup', 'consent.store', 'connector.info'] as const;
  const method = methods[i % 3] as string;
  const error = i % 7 === 0;
  return {
    channelId: 'c1',
    // Integers, as PROTOCOL §3 asks of platforms: stored as they are.
    requestId: i,
    method,
    outcome: error ? 'error' : i % 5 === 0 && method === 'patient.lookup' ? 'not_found' : 'ok',
    reason: error ? (i % 2 === 0 ? 'source_timeout' : 'busy') : null,
    durationMs: (i % 100) + 0.25,
    bytesIn: 100 + i,
    bytesOut: 200 + i,
    sessionId: 's-1',
    ...overrides,
  };
}

export function rawConnection(file: string): Database.Database {
  return new Database(file);
}
