// Idempotency-Key across the cluster: a consent.store whose receiving instance is killed (kill -9)
// while the connector files the document; the caller's retry, through the load balancer, gets the
// first answer and the document is filed once. Two callers racing with one key on two instances
// get one execution.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { consentParams, syntheticPdf } from '../../bench/lib/consent.js';
import { tempDir } from '../helpers/temp-dir.js';
import { call } from './calls.js';
import { httpStoreConfig, startDocApi } from './doc-api.js';
import { missingBinaries, startClusterSetup } from './harness.js';

const skip = missingBinaries();

test(
  'kill -9 of the instance that received a call: the retry with the same Idempotency-Key gets the first answer, the document is filed once',
  { skip: skip ?? false },
  async (t) => {
    const api = await startDocApi(t);
    const setup = await startClusterSetup(t, tempDir(t), { tenants: ['acme'] });
    await setup.startConnector('acme-1', 'acme', httpStoreConfig(api));
    const [listed] = await setup.waitForConnectors(['acme-1']);
    const holder = setup.hubs.find((h) => h.instanceId === listed?.instance);
    const [receiver, bystander] = setup.hubs.filter((h) => h !== holder);
    assert.ok(holder && receiver && bystander);

    api.delayMs = 1_500;
    const doc = consentParams(syntheticPdf(64 * 1024, 1));
    const key = randomUUID();
    const first = call(receiver.httpUrl, 'acme', 'consent.store', doc, { idempotencyKey: key });
    // The connector is filing the document for the call the receiver forwarded: kill the receiver now.
    await api.waitForPost(doc.documentId);
    await receiver.handle.killHard();
    const lost = await first;
    assert.equal(lost.status, null, 'the first caller lost its connection with the instance');

    const retry = await call(setup.haproxy.httpUrl, 'acme', 'consent.store', doc, { idempotencyKey: key });
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    assert.deepEqual(retry.body.result, { stored: true, location: `docs/${doc.documentId}`, duplicate: false });
    const again = await call(bystander.httpUrl, 'acme', 'consent.store', doc, { idempotencyKey: key });
    assert.deepEqual(again.body.result, retry.body.result, 'every retry, on any instance, gets the first answer');
    assert.equal(api.posts.get(doc.documentId), 1, 'the connector filed the document once');

    // Without the key the platform runs the call again: the store says it has it (duplicate: true).
    const unkeyed = await call(bystander.httpUrl, 'acme', 'consent.store', doc);
    assert.equal(unkeyed.body.result.duplicate, true);
  },
);

test(
  'two callers with one Idempotency-Key on two instances at once: one execution, one answer for both',
  { skip: skip ?? false },
  async (t) => {
    const api = await startDocApi(t);
    const setup = await startClusterSetup(t, tempDir(t), { tenants: ['acme'] });
    await setup.startConnector('acme-1', 'acme', httpStoreConfig(api));
    await setup.waitForConnectors(['acme-1']);
    api.delayMs = 800;
    const doc = consentParams(syntheticPdf(16 * 1024, 2));
    const key = randomUUID();
    const answers = await Promise.all(
      setup.hubs.map((h) => call(h.httpUrl, 'acme', 'consent.store', doc, { idempotencyKey: key })),
    );
    for (const a of answers) {
      assert.equal(a.status, 200, JSON.stringify(a.body));
      assert.deepEqual(a.body.result, { stored: true, location: `docs/${doc.documentId}`, duplicate: false });
    }
    assert.equal(api.posts.get(doc.documentId), 1);

    const bad = await call(
      setup.hubs[0]?.httpUrl as string,
      'acme',
      'patient.lookup',
      { identificationNumber: 'x' },
      {
        idempotencyKey: 'has space',
      },
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.reason, 'invalid_idempotency_key');
  },
);
