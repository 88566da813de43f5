import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { API_KEY, startTestHub } from '../helpers/hub-fixture.js';
import { sampleValue } from '../helpers/prometheus-text.js';

test('hub /metrics counts calls by method and outcome, their latency, and retries on another connector', async (t) => {
  const fx = await startTestHub(t);
  const slow = { type: 'demo', latencyMs: 300 };
  // One call at a time each: a third concurrent call is answered busy by both connectors.
  const a = startTestConnector(
    t,
    { environment: 'demo', platformUrl: fx.hub.wsUrl, maxConcurrency: 1, patientLookup: slow },
    fx.mint(),
  );
  const b = startTestConnector(
    t,
    { environment: 'demo', platformUrl: fx.hub.wsUrl, maxConcurrency: 1, patientLookup: slow },
    fx.mint(),
  );
  await Promise.all([waitForState(a.connector, 'connected'), waitForState(b.connector, 'connected')]);
  const id = demoDirectory().at(0).localIdentifier;

  const answers = await Promise.all([1, 2, 3].map(() => fx.call('patient.lookup', { identificationNumber: id })));
  const statuses = answers.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 200, 503], 'two answered, the third busy on both connectors');
  assert.equal(answers.find((r) => r.status === 503)?.body.error.reason, 'busy');
  await fx.call('patient.lookup', { identificationNumber: 'nosuchpatient' });
  await fx.call('connector.info', {});
  await fx.call('patient.lookup', {}); // invalid params

  const res = await fetch(`${fx.hub.httpUrl}/metrics`, { headers: { authorization: `Bearer ${API_KEY}` } });
  const text = await res.text();
  assert.equal(sampleValue(text, 'cc_hub_calls_total', 'method="patient.lookup",outcome="ok"'), 3);
  assert.equal(sampleValue(text, 'cc_hub_calls_total', 'method="patient.lookup",outcome="busy"'), 1);
  assert.equal(sampleValue(text, 'cc_hub_calls_total', 'method="patient.lookup",outcome="invalid_params"'), 1);
  assert.equal(sampleValue(text, 'cc_hub_calls_total', 'method="connector.info",outcome="ok"'), 1);
  assert.equal(sampleValue(text, 'cc_hub_retries_total', 'method="patient.lookup",reason="busy"'), 1);
  assert.equal(sampleValue(text, 'cc_hub_call_duration_seconds_count', 'method="patient.lookup"'), 5);
  // The three lookups that reached the source took at least 300 ms; busy and invalid ones did not.
  const under250 = sampleValue(text, 'cc_hub_call_duration_seconds_bucket', 'method="patient.lookup",le="0.25"');
  const under1000 = sampleValue(text, 'cc_hub_call_duration_seconds_bucket', 'method="patient.lookup",le="1"');
  assert.equal(under1000 - under250, 3);
  assert.equal(under250, 2);
  assert.equal(sampleValue(text, 'cc_hub_connectors', 'tenant="acme",environment="demo",state="ready"'), 2);
});
