// The status window's 24 hours from the audit log: outages that cross an hour, a start-up in the
// current hour, and the slowest 5 % of lookups, read from rows the real writer put in a real file.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { AuditWriter } from '../../src/main/audit/audit-writer.js';
import { dayHistory } from '../../src/main/audit/day-history.js';
import type { ConnectionEvent } from '../../src/main/audit/entries.js';
import { openAuditDbForReading } from '../../src/main/audit/open-db.js';
import { tempDir } from '../helpers/temp-dir.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function scripted(t: Parameters<typeof tempDir>[0]) {
  let clock = new Date(0);
  const file = path.join(tempDir(t), 'audit.sqlite');
  const writer = new AuditWriter({ path: file, now: () => clock, pruneIntervalMs: 24 * HOUR });
  return {
    at(when: Date) {
      clock = when;
    },
    connection(when: Date, event: ConnectionEvent['event']) {
      clock = when;
      writer.recordConnection({ event, sessionId: null });
    },
    lookup(when: Date, durationMs: number) {
      clock = when;
      writer.recordCall({
        channelId: 'c',
        requestId: 1,
        method: 'patient.lookup',
        outcome: 'ok',
        reason: null,
        durationMs,
        bytesIn: 1,
        bytesOut: 1,
        sessionId: null,
      });
    },
    read(now: Date) {
      writer.close();
      const db = openAuditDbForReading(file);
      try {
        return dayHistory(db, now);
      } finally {
        db.close();
      }
    },
  };
}

test('an outage across an hour: two minutes reconnecting, then down, each in its own hour', (t) => {
  const now = new Date('2026-11-20T12:30:00');
  const h0 = new Date('2026-11-20T12:00:00').getTime();
  const s = scripted(t);
  s.connection(new Date(h0 - 30 * HOUR), 'connected');
  s.connection(new Date(h0 - 5 * HOUR - 2 * MINUTE), 'disconnected');
  s.connection(new Date(h0 - 5 * HOUR - MINUTE), 'disconnected');
  s.connection(new Date(h0 - 4 * HOUR + 10 * MINUTE), 'connected');
  const hours = s.read(now);
  assert.equal(hours.length, 24);
  const before = hours[23 - 6];
  const during = hours[23 - 5];
  const after = hours[23 - 4];
  assert.deepEqual(
    [before?.state, before?.minutes.reconnecting, before?.minutes.connected],
    ['reconnecting', 2, 58],
    'the second disconnect does not restart the two minutes',
  );
  assert.deepEqual([during?.state, during?.minutes.down], ['down', 60]);
  assert.deepEqual([after?.state, after?.minutes.down, after?.minutes.connected], ['down', 10, 50]);
  assert.equal(hours[23]?.state, 'connected');
  assert.equal(hours[23]?.minutes.connected, 30, 'the current hour counts up to now');
});

test('a connector started a few seconds ago shows connected for this hour, not running before', (t) => {
  const now = new Date('2026-11-20T12:30:00');
  const s = scripted(t);
  s.connection(new Date(now.getTime() - 10_000), 'connected');
  const hours = s.read(now);
  assert.equal(hours[23]?.state, 'connected');
  assert.deepEqual([hours[23]?.minutes.connected, hours[23]?.minutes.unknown], [1, 30]);
  assert.ok(hours.slice(0, 23).every((h) => h.state === 'unknown'));
});

test('the slowest 5 % of an hour’s lookups is its 95th percentile, by nearest rank', (t) => {
  const now = new Date('2026-11-20T12:30:00');
  const s = scripted(t);
  for (let i = 1; i <= 20; i++) s.lookup(new Date(`2026-11-20T10:${String(i).padStart(2, '0')}:00`), i * 100);
  const hours = s.read(now);
  assert.deepEqual([hours[21]?.lookups, hours[21]?.slowLookupMs], [20, 1900]);
  assert.equal(hours[22]?.slowLookupMs, null);
});
