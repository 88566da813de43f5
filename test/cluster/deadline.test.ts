// The deadline across instances: a call made through an instance that does not hold the connector
// is cancelled at the deadline exactly as a local one — the holder sends $/cancelRequest, the
// connector aborts the work, and the caller is told 504 at the deadline (plus the slack), not later.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startHub } from '../../src/hub/hub-server.js';
import { createToken } from '../../src/hub/tokens-file.js';
import type { CallCompleted } from '../../src/main/core/dispatcher.js';
import { PLATFORM_DEADLINE_SLACK_MS } from '../../src/shared/protocol/index.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { call } from './calls.js';
import { API_KEY, missingBinaries, startRedis } from './harness.js';

const skip = missingBinaries();
const DEADLINE_MS = 300;

test(
  'a call through another instance is cancelled at the deadline by the holder ($/cancelRequest) and answered 504 in time',
  { skip: skip ?? false },
  async (t) => {
    const dir = tempDir(t);
    const redis = await startRedis(t, dir);
    const tokensFile = path.join(dir, 'tokens.jsonl');
    writeFileSync(tokensFile, '');
    const token = createToken({ tokensFile, tenant: 'acme', environment: 'demo' });
    const start = () =>
      startHub({
        port: 0,
        tokensFile,
        apiKeys: [API_KEY],
        deadlinesMs: { 'patient.lookup': DEADLINE_MS },
        cluster: {
          redisUrl: redis.url,
          secret: 'cluster-secret-for-tests-0123456789abcdef',
          timings: { leaseMs: 3_000, pollMs: 100 },
        },
      });
    const holder = await start();
    t.after(() => holder.close({ graceful: false }));
    const receiver = await start();
    t.after(() => receiver.close({ graceful: false }));

    const runtime = startTestConnector(
      t,
      {
        environment: 'demo',
        platformUrl: holder.wsUrl,
        name: 'slow',
        patientLookup: { type: 'demo', latencyMs: 8_000 },
      },
      token,
    );
    await waitForState(runtime.connector, 'connected');
    const calls: CallCompleted[] = [];
    runtime.connector.on('call', (event) => calls.push(event));
    // Wait until the receiver has read the holder's session from the registry.
    const until = Date.now() + 10_000;
    while (
      (
        await (
          await fetch(`${receiver.httpUrl}/v1/connectors`, { headers: { authorization: `Bearer ${API_KEY}` } })
        ).json()
      ).connectors.length === 0
    ) {
      assert.ok(Date.now() < until, 'the receiver never saw the connector');
      await new Promise((r) => setTimeout(r, 50));
    }

    const answer = await call(receiver.httpUrl, 'acme', 'patient.lookup', { identificationNumber: 'd100001' });
    const tookMs = answer.endedAt - answer.startedAt;
    assert.equal(answer.status, 504);
    assert.equal(answer.reason, 'source_timeout');
    assert.ok(tookMs >= DEADLINE_MS + PLATFORM_DEADLINE_SLACK_MS - 50, `answered after ${Math.round(tookMs)} ms`);
    assert.ok(tookMs < 6_000, `answered after ${Math.round(tookMs)} ms, not at the deadline`);
    // The connector got $/cancelRequest and stopped the lookup long before its 8 s.
    const until2 = Date.now() + 5_000;
    while (calls.length === 0 && Date.now() < until2) await new Promise((r) => setTimeout(r, 20));
    assert.equal(calls[0]?.reason, 'cancelled');
    assert.ok((calls[0]?.durationMs ?? Number.POSITIVE_INFINITY) < 6_000);
    assert.match(receiver.metrics(), /^cc_hub_cluster_forwarded_calls_total\{direction="out",result="timeout"\} 1$/m);
  },
);
