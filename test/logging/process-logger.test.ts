import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createProcessLogger } from '../../src/main/logging/process-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOKEN = 'cc_production_Zq3xY8vN1pLm4kT7wR2sJ6hF';

test('writes one structured line per event, filtered by level', (t) => {
  const dir = tempDir(t);
  const logger = createProcessLogger({ dir, level: 'info' });
  logger.debug('not written');
  logger.info('state connected', { environment: 'production', latencyMs: 23 });
  logger.error('call failed unexpectedly', { method: 'patient.lookup', error: 'TypeError' });
  const lines = readFileSync(logger.file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(
    lines[0] ?? '',
    /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}state connected environment=production latencyMs=23$/,
  );
  assert.match(lines[1] ?? '', /ERROR call failed unexpectedly method=patient.lookup error=TypeError$/);
});

test('masks tokens, configured secrets, URL credentials and NHS numbers wherever they appear', (t) => {
  const dir = tempDir(t);
  const logger = createProcessLogger({ dir, secrets: ['s3cret-db-pass'] });
  logger.addSecret('subscription-key-42');
  logger.warn(`token ${TOKEN} rejected`, { cause: `hello carried ${TOKEN}` });
  logger.info('connecting', { url: 'https://admin:s3cret-db-pass@db.local/x', header: 'subscription-key-42' });
  logger.info('proxy', { proxy: 'http://user:pw@proxy.local:3128' });
  logger.info('oops', { token: 'anything at all', apiKey: 'k', authorization: 'Bearer abc.def' });
  logger.error('bad record', { detail: 'nhs 943 476 5919 and 9434765919' });
  const text = readFileSync(logger.file, 'utf8');
  for (const secret of [TOKEN, 's3cret-db-pass', 'subscription-key-42', 'user:pw', 'anything at all', 'abc.def']) {
    assert.ok(!text.includes(secret), `${secret} leaked`);
  }
  assert.ok(!/943 ?476 ?5919/.test(text), 'NHS number leaked');
  assert.match(text, /cc_production_\[redacted\]/);
  assert.match(text, /http:\/\/\[redacted\]@proxy.local:3128/);
  assert.match(text, /token=\[redacted\]/);
});

test('rotates at the size cap and keeps the configured number of old files', (t) => {
  const dir = tempDir(t);
  const logger = createProcessLogger({ dir, maxSizeMb: 0.01, keep: 2 }); // ~10 KB per file
  for (let i = 0; i < 600; i++) logger.info('state connecting', { attempt: i, pad: 'x'.repeat(40) });
  const files = readdirSync(dir).sort();
  assert.deepEqual(files, ['connector.1.log', 'connector.2.log', 'connector.log']);
  for (const f of files) {
    const size = readFileSync(path.join(dir, f)).length;
    assert.ok(size <= 11 * 1024, `${f} is ${size} bytes`);
  }
  // The newest line is in the current file, and older ones moved down in order.
  assert.match(readFileSync(logger.file, 'utf8'), /attempt=599 /);
  const last1 = readFileSync(path.join(dir, 'connector.1.log'), 'utf8').trim().split('\n').at(-1) ?? '';
  const first0 = readFileSync(logger.file, 'utf8').split('\n')[0] ?? '';
  const n = (line: string) => Number(/attempt=(\d+)/.exec(line)?.[1]);
  assert.equal(n(first0), n(last1) + 1);
});
