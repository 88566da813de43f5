// The patient system misbehaves: it hangs, resets connections, or answers garbage. Here it is a
// tiny HTTP server posing as the FHIR server of a `fhir` lookup source. Every call must get one
// clear answer within its deadline, the hung request must really be abandoned (the abort reaches
// the source), and the platform connection must not suffer.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { assertEachAnswered, identifiers, lookupBurst, replyTally } from './fault-kit.js';

type Behaviour = 'hang' | 'reset' | 'garbage' | 'truncated' | 'healthy';

const DEADLINE_MS = 600;
const EMPTY_BUNDLE = JSON.stringify({ resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] });

async function misbehavingSource(t: TestContext) {
  const state = { behaviour: 'healthy' as Behaviour, requests: 0, abandoned: 0 };
  const server = http.createServer((req, res) => {
    state.requests++;
    let answered = false;
    res.on('close', () => {
      if (!answered) state.abandoned++;
    });
    switch (state.behaviour) {
      case 'hang':
        return; // never answers; the connector must give up at its deadline
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'garbage':
        answered = true;
        res.writeHead(200, { 'content-type': 'application/fhir+json' });
        res.end('<html>Service temporarily unavailable</html>{{{');
        return;
      case 'truncated':
        answered = true;
        res.writeHead(200, { 'content-type': 'application/fhir+json', 'content-length': '500' });
        res.write(EMPTY_BUNDLE.slice(0, 20));
        setTimeout(() => req.socket.destroy(), 20);
        return;
      case 'healthy':
        answered = true;
        res.writeHead(200, { 'content-type': 'application/fhir+json' });
        res.end(EMPTY_BUNDLE);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { state, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir` };
}

const EXPECTED: Record<Exclude<Behaviour, 'healthy'>, string[]> = {
  hang: ['source_timeout'],
  reset: ['source_unavailable'],
  garbage: ['source_unavailable', 'invalid_source_record'],
  truncated: ['source_unavailable', 'invalid_source_record'],
};

test('a hanging, resetting or garbage-answering source: one clear error per call, the connection unharmed', async (t) => {
  const source = await misbehavingSource(t);
  const fx = await startTestHub(t);
  const runtime = startTestConnector(
    t,
    {
      environment: 'demo',
      platformUrl: fx.hub.wsUrl,
      deadlinesMs: { 'patient.lookup': DEADLINE_MS },
      patientLookup: {
        type: 'fhir',
        baseUrl: source.baseUrl,
        identifierSystems: { local: 'urn:test:local-id' },
        connectTimeoutMs: 500,
      },
    },
    fx.mint('demo'),
  );
  const tally = replyTally(runtime.connector);
  let reconnects = 0;
  runtime.connector.on('connection', (e) => {
    if (e.event === 'disconnected') reconnects++;
  });
  await waitForState(runtime.connector, 'connected');

  for (const behaviour of ['hang', 'reset', 'garbage', 'truncated'] as const) {
    source.state.behaviour = behaviour;
    const ids = identifiers(12, 700);
    const answers = await lookupBurst(fx.call, ids, 6);
    assertEachAnswered(answers, ids.length, { reasons: EXPECTED[behaviour] });
    assert.ok(
      answers.every((a) => a.status !== 200),
      `${behaviour}: no call pretended to succeed`,
    );
    assert.ok(
      answers.every((a) => a.ms < DEADLINE_MS + 1_500),
      `${behaviour}: every caller was answered by the deadline`,
    );
    if (behaviour === 'hang') {
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(source.state.abandoned >= ids.length, 'the hung requests were abandoned, not left open');
    }
    assert.equal(runtime.connector.status().state, 'connected', `${behaviour}: still connected`);
  }

  source.state.behaviour = 'healthy';
  const res = await fx.call('patient.lookup', { identificationNumber: 'x100' });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { result: { patient: null } });
  assert.equal(reconnects, 0, 'the platform connection never dropped');
  assert.deepEqual(tally.duplicates(), []);
});

test('a demo source slower than the deadline: source_timeout at the deadline, then normal service', async (t) => {
  const fx = await startTestHub(t);
  const runtime = startTestConnector(
    t,
    {
      environment: 'demo',
      platformUrl: fx.hub.wsUrl,
      deadlinesMs: { 'patient.lookup': 300 },
      patientLookup: { type: 'demo', latencyMs: 5_000 },
    },
    fx.mint('demo'),
  );
  await waitForState(runtime.connector, 'connected');
  const ids = identifiers(20, 800);
  const answers = await lookupBurst(fx.call, ids, 20);
  assertEachAnswered(answers, ids.length, { reasons: ['source_timeout'] });
  // source_timeout proves the connector answered at its deadline; the bound only says "not when
  // the 5 s source did".
  assert.ok(answers.every((a) => a.status === 504 && a.ms < 5_000));
  assert.equal(runtime.connector.status().inFlight, 0, 'nothing left running in the connector');
  assert.equal(runtime.connector.status().state, 'connected');
});
