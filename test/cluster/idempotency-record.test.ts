// The idempotency record itself, against a real Redis: what a retry with the same key gets, what
// a reuse of the key for another call gets, and what Redis holds of the answer (a lookup's answer
// is a patient's data: it must not sit in Redis readable, nor for a day).
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { PlaneOutcome } from '../../src/hub/cluster/coordinator.js';
import { Idempotency } from '../../src/hub/cluster/idempotency.js';
import { connectRedis } from '../../src/hub/cluster/redis-client.js';
import { silentLogger } from '../../src/main/core/logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { missingBinaries, startRedis } from './harness.js';

const skip = missingBinaries();
const SECRET = 'cluster-secret-for-tests-0123456789abcdef';
const patient = { name: 'Synthetic Person-Alpha', birthDate: '1901-02-03' };

async function setup(t: TestContext) {
  const redis = await startRedis(t, tempDir(t));
  const connection = await connectRedis(redis.url, silentLogger);
  t.after(() => connection.close());
  const idempotency = new Idempotency(connection, 'instance-a', {
    ttlMs: 60_000,
    secret: SECRET,
    instanceAlive: () => true,
  });
  return { connection, idempotency };
}

test(
  'a key reused for a call with other params gets 422, never the first call’s answer',
  { skip: skip ?? false },
  async (t) => {
    const { idempotency } = await setup(t);
    const key = idempotency.recordKey('acme', 'prod', 'patient.lookup', 'key-1');
    let runs = 0;
    const execute = async (): Promise<PlaneOutcome> => {
      runs++;
      return { kind: 'result', result: { patient } };
    };
    const first = await idempotency.run(key, { identificationNumber: 'A-1' }, 1_000, execute);
    assert.deepEqual(first, { kind: 'result', result: { patient } });
    const retry = await idempotency.run(key, { identificationNumber: 'A-1' }, 1_000, execute);
    assert.deepEqual(retry, first, 'the same call again gets the first answer');
    assert.equal(runs, 1, 'and is not run again');

    const other = await idempotency.run(key, { identificationNumber: 'B-2' }, 1_000, execute);
    assert.equal(other.kind, 'refused');
    assert.equal(other.kind === 'refused' && other.error.status, 422);
    assert.equal(other.kind === 'refused' && other.error.body.error.reason, 'idempotency_key_reused');
    assert.equal(runs, 1);
  },
);

test('the same key in another tenant, environment or method is another record', { skip: skip ?? false }, async (t) => {
  const { idempotency } = await setup(t);
  const keys = new Set([
    idempotency.recordKey('acme', 'prod', 'patient.lookup', 'k'),
    idempotency.recordKey('globex', 'prod', 'patient.lookup', 'k'),
    idempotency.recordKey('acme', 'test', 'patient.lookup', 'k'),
    idempotency.recordKey('acme', 'prod', 'connector.info', 'k'),
  ]);
  assert.equal(keys.size, 4);
  const params = { identificationNumber: 'A-1' };
  const acme = [...keys][0] as string;
  const globex = [...keys][1] as string;
  await idempotency.run(acme, params, 1_000, async () => ({ kind: 'result', result: { patient } }));
  const theirs = await idempotency.run(globex, params, 1_000, async () => ({ kind: 'result', result: 'own' }));
  assert.deepEqual(theirs, { kind: 'result', result: 'own' }, 'globex never gets acme’s answer');
});

test('Redis holds no readable answer, no readable params, and only for minutes', { skip: skip ?? false }, async (t) => {
  const { connection, idempotency } = await setup(t);
  const key = idempotency.recordKey('acme', 'prod', 'patient.lookup', 'key-2');
  await idempotency.run(key, { identificationNumber: 'A-1' }, 1_000, async () => ({
    kind: 'result',
    result: { patient },
  }));
  const stored = (await connection.client.get(key)) ?? '';
  assert.ok(stored.length > 0);
  for (const personal of ['Synthetic', 'Person-Alpha', '1901-02-03', 'A-1']) {
    assert.ok(!stored.includes(personal), `Redis holds ${personal} in the clear`);
  }
  const ttl = await connection.client.pttl(key);
  assert.ok(ttl > 0 && ttl <= 60_000, `record kept ${ttl} ms`);

  // A record altered in Redis is not an answer: the call runs again rather than return it.
  await connection.client.set(
    key,
    stored.replace(/"sealed":"(.)/, (_m, c) => `"sealed":"${c === 'A' ? 'B' : 'A'}`),
  );
  const rerun = await idempotency.run(key, { identificationNumber: 'A-1' }, 1_000, async () => ({
    kind: 'result',
    result: 'fresh',
  }));
  assert.deepEqual(rerun, { kind: 'result', result: 'fresh' });
});
