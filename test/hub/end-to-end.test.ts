import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { startTestHub } from '../helpers/hub-fixture.js';

test('a connector connects to the hub and answers lookups, info and bad calls', async (t) => {
  const fx = await startTestHub(t);
  const token = fx.mint('demo');
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: fx.hub.wsUrl }, token);
  await waitForState(runtime.connector, 'connected');
  const patient = demoDirectory().at(0);

  const found = await fx.call('patient.lookup', { identificationNumber: ` ${patient.localIdentifier.toUpperCase()} ` });
  assert.equal(found.status, 200);
  assert.equal(found.body.result.patient.localIdentifier, patient.localIdentifier);
  assert.equal(found.body.result.patient.dateOfBirth, patient.dateOfBirth);

  const byNhs = await fx.call('patient.lookup', { identificationNumber: patient.nationalIdentifier });
  assert.equal(byNhs.body.result.patient.localIdentifier, patient.localIdentifier);

  const missing = await fx.call('patient.lookup', { identificationNumber: 'nosuchpatient' });
  assert.deepEqual(missing.body, { result: { patient: null } });

  const invalid = await fx.call('patient.lookup', { identificationNumber: 42 });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.body.error.reason, 'invalid_params');
  assert.match(invalid.body.error.message, /identificationNumber/);

  const info = await fx.call('connector.info', {});
  assert.equal(info.body.result.environment, 'demo');
  assert.deepEqual(info.body.result.methods, ['patient.lookup']);
  assert.equal(info.body.result.sources['patient.lookup'], 'up');

  const notEnabled = await fx.call('consent.store', {});
  assert.equal(notEnabled.status, 503, 'no connector advertises consent.store');

  const listed = fx.hub.connectors();
  assert.equal(listed.length, 1);
  assert.equal(listed[0]?.tenant, 'acme');
  assert.ok(!JSON.stringify(listed).includes(token), 'the connector list never shows the token');
});

test('the hub answers 503 at once when no connector is connected, and 401 without the API key', async (t) => {
  const fx = await startTestHub(t);
  const started = Date.now();
  const none = await fx.call('patient.lookup', { identificationNumber: 'x1' });
  assert.equal(none.status, 503);
  assert.equal(none.body.error.reason, 'no_connector');
  // At once: not after the call's 10 s deadline, which is what waiting for a connector would take.
  assert.ok(Date.now() - started < 10_000);
  const res = await fetch(`${fx.hub.httpUrl}/v1/connectors`);
  assert.equal(res.status, 401);
});
