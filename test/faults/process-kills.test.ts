// kill -9 under load, with the hub and the connectors as real `cloud-connector` processes.
// The hub dying: its callers see their request fail, and the connector finds the new hub on its
// own. A connector dying: the hub retries the calls it held on the other connector, so callers
// see no failure at all; consent documents (when a folder store is in this build) are neither
// lost nor written twice.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { consentParams, folderStoreAvailable, syntheticPdf } from '../../bench/lib/consent.js';
import { API_KEY, callHub } from '../helpers/hub-fixture.js';
import { mintToken, startConnectorProcess, startHubProcess } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';
import {
  type Answer,
  assertEachAnswered,
  hubInFlight,
  identifiers,
  lookupBurst,
  untilAnswered,
  untilInFlight,
} from './fault-kit.js';

const FAST = { backoffBaseMs: 100, backoffCapMs: 400, pingIntervalMs: 1_000, deadAfterMs: 3_000 };

test('kill -9 of the hub during load: callers see it fail, the connector reconnects to the new hub', async (t) => {
  const dir = tempDir(t);
  const hub = await startHubProcess(t, { dir, apiKey: API_KEY });
  const cdir = path.join(dir, 'c');
  mkdirSync(cdir);
  const connector = startConnectorProcess(t, {
    dir: cdir,
    token: mintToken(hub.tokensFile),
    config: { platformUrl: hub.wsUrl, timers: FAST, patientLookup: { type: 'demo', latencyMs: 30 } },
  });
  await connector.waitConnected();

  const call = (method: string, params: unknown) => callHub(hub.httpUrl, method, params);
  const ids = identifiers(80);
  const live: Answer[] = [];
  const burst = lookupBurst(call, ids, 8, 0, live);
  await untilAnswered(live, 5);
  await hub.handle.killHard();
  const answers = await burst;
  const ok = assertEachAnswered(answers, ids.length, { networkErrorsAllowed: true });
  assert.ok(ok > 0, 'calls before the kill succeeded');
  assert.ok(
    answers.some((a) => a.networkError !== undefined),
    'calls after the kill failed at the caller',
  );

  const from = connector.handle.lines.length;
  const next = await startHubProcess(t, { dir, port: hub.port, apiKey: API_KEY });
  await connector.waitConnected({ from, timeoutMs: 15_000 });
  const again = await lookupBurst((m, p) => callHub(next.httpUrl, m, p), identifiers(10, 300), 5);
  assert.equal(assertEachAnswered(again, 10, { reasons: [] }), 10);
});

const withFolder = folderStoreAvailable();

test('kill -9 of one of two connectors during load: the hub fails over, callers see no error', async (t) => {
  const dir = tempDir(t);
  const storeDir = path.join(dir, 'consents');
  mkdirSync(storeDir);
  const hub = await startHubProcess(t, { dir, apiKey: API_KEY });
  const token = mintToken(hub.tokensFile);
  const start = (name: string) => {
    const cdir = path.join(dir, name);
    mkdirSync(cdir, { recursive: true });
    return startConnectorProcess(t, {
      dir: cdir,
      token,
      config: {
        platformUrl: hub.wsUrl,
        name,
        timers: FAST,
        patientLookup: { type: 'demo', latencyMs: 100 },
        ...(withFolder ? { consentStore: { type: 'folder', path: storeDir } } : {}),
      },
    });
  };
  const a = start('conn-a');
  const b = start('conn-b');
  await Promise.all([a.waitConnected(), b.waitConnected()]);
  const call = (method: string, params: unknown) => callHub(hub.httpUrl, method, params);

  const documents = withFolder ? Array.from({ length: 20 }, (_, i) => consentParams(syntheticPdf(20_000, i))) : [];
  const filings = Promise.all(documents.map((d) => call('consent.store', d).catch(() => ({ status: 0, body: null }))));
  const ids = identifiers(60, 50);
  const live: Answer[] = [];
  const burst = lookupBurst(call, ids, 10, 0, live);
  await untilAnswered(live, 5);
  await a.handle.killHard();
  const answers = await burst;
  assert.equal(assertEachAnswered(answers, ids.length, { reasons: [] }), ids.length, 'every call failed over');

  const restarted = start('conn-a');
  await restarted.waitConnected();
  const listed = (await fetch(`${hub.httpUrl}/v1/connectors`, { headers: { authorization: `Bearer ${API_KEY}` } }).then(
    (r) => r.json(),
  )) as { connectors: Array<{ name: string }> };
  assert.deepEqual(listed.connectors.map((c) => c.name).sort(), ['conn-a', 'conn-b']);

  if (!withFolder) return;
  // The platform's part: file again every document that did not answer "stored", then all of them.
  const first = await filings;
  for (const [i, res] of first.entries()) {
    if (res.status !== 200) assert.equal((await call('consent.store', documents[i])).status, 200);
  }
  for (const d of documents) {
    const res = await call('consent.store', d);
    assert.equal(res.status, 200);
    assert.equal(res.body.result.duplicate, true, 'filing again writes nothing new');
  }
  const pdfs = readdirSync(storeDir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.pdf'));
  assert.equal(pdfs.length, documents.length, 'one file per document: none lost, none written twice');
  const hashes = new Set(
    pdfs.map((f) =>
      createHash('sha256')
        .update(readFileSync(path.join(storeDir, f)))
        .digest('hex'),
    ),
  );
  assert.deepEqual([...hashes].sort(), documents.map((d) => d.sha256).sort(), 'every file is whole');
});

test('kill -9 of the only connector: callers are told connection_lost or no_connector, a restart serves again', async (t) => {
  const dir = tempDir(t);
  const hub = await startHubProcess(t, { dir, apiKey: API_KEY });
  const token = mintToken(hub.tokensFile);
  const cdir = path.join(dir, 'c');
  mkdirSync(cdir);
  const config = { platformUrl: hub.wsUrl, timers: FAST, patientLookup: { type: 'demo', latencyMs: 100 } };
  const first = startConnectorProcess(t, { dir: cdir, token, config });
  await first.waitConnected();
  const call = (method: string, params: unknown) => callHub(hub.httpUrl, method, params);
  const ids = identifiers(40, 400);
  const live: Answer[] = [];
  const burst = lookupBurst(call, ids, 8, 20, live);
  await untilAnswered(live, 5);
  await untilInFlight(() => hubInFlight(hub.httpUrl, API_KEY));
  await first.handle.killHard();
  const answers = await burst;
  const ok = assertEachAnswered(answers, ids.length, { reasons: ['connection_lost', 'no_connector'] });
  assert.ok(ok > 0 && ok < ids.length);
  assert.ok(
    answers.some((a) => a.body?.error?.reason === 'connection_lost'),
    'calls in flight were told',
  );
  const second = startConnectorProcess(t, { dir: cdir, token, config });
  await second.waitConnected();
  const again = await lookupBurst(call, identifiers(5, 600), 5);
  assert.equal(assertEachAnswered(again, 5, { reasons: [] }), 5);
});
