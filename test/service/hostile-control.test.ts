// The service's control channel under the seeded hostile corpus (the hub's, from test/hostile):
// malformed targets, headers, bodies and upgrades, sent with the admin key so they reach as far
// as they can. Afterwards the service still runs, its attached viewer is still connected, a good
// lookup goes through, and nothing planted in the input reached its log.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { readKey } from '../../src/main/service/control-keys.js';
import { serviceFiles } from '../../src/main/service/data-folder.js';
import { corpusSeed, httpCorpus, inBatches, personalDataIn, Rng } from '../hostile/corpus.js';
import { rawHttp } from '../hostile/raw-wire.js';
import { demoSetup, startService, waitForDemo } from './service-fixture.js';

const SEED = corpusSeed();

test('the control channel survives the hostile HTTP corpus and logs none of it', { timeout: 120_000 }, async (t) => {
  t.diagnostic(`hostile corpus seed ${SEED} (HOSTILE_SEED=${SEED} replays it)`);
  const svc = await startService(t);
  const admin = await svc.attach('admin');
  assert.equal((await admin.handlers['setup.save'](demoSetup(svc.fx, svc.fx.mint('demo')))).ok, true);
  const viewer = await svc.attach('viewer');
  await waitForDemo(viewer, 'connected');
  const configBefore = readFileSync(`${svc.dataDir}/demo/connector.json`, 'utf8');

  const key = readKey(serviceFiles(svc.dataDir), 'admin') as string;
  const cases = httpCorpus(new Rng(SEED), 300, {
    host: `127.0.0.1:${svc.port}`,
    paths: ['/v1/hello', '/v1/ipc/status.get', '/v1/ipc/setup.save', '/v1/ipc/connector.setPaused', '/v1/events'],
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  });
  const statuses = new Map<string, number>();
  await inBatches(cases, 16, async (c) => {
    const answer = await rawHttp(svc.port, c.bytes, { endAfterWrite: c.endAfterWrite, timeoutMs: 4_000 });
    const status = `${answer.status ?? 'closed'}`;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    assert.ok(answer.status === null || answer.status < 500, `${c.kind}: answered ${answer.status}`);
  });
  t.diagnostic(`answers: ${JSON.stringify(Object.fromEntries(statuses))}`);

  assert.equal(svc.handle.hasExited, false, 'the service is running');
  assert.equal(viewer.link, 'connected', 'the attached viewer never lost its link');
  const patient = demoDirectory().at(60);
  const res = await svc.fx.call('patient.lookup', { identificationNumber: patient.localIdentifier });
  assert.equal(res.status, 200);
  assert.equal(readFileSync(`${svc.dataDir}/demo/connector.json`, 'utf8'), configBefore, 'the set-up is unchanged');
  const logged = [...svc.handle.lines.map((l) => l.text), readFileSync(`${svc.dataDir}/logs/service.log`, 'utf8')];
  assert.deepEqual(personalDataIn(logged), [], 'no planted personal data in the log');
});
