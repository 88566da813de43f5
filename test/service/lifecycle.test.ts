// What the clinic relies on: the connector lives in the service, not in the tray app. Closing or
// killing the app changes nothing; restarting the service is seen by the app as reconnecting,
// then connected; stopping the service drains calls in flight within the 30 s grace.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { readKey } from '../../src/main/service/control-keys.js';
import { serviceFiles } from '../../src/main/service/data-folder.js';
import { API_KEY } from '../helpers/hub-fixture.js';
import { REPO_ROOT } from '../helpers/processes.js';
import { demoSetup, recordLink, startService, waitForDemo } from './service-fixture.js';

test(
  'killing the attached app leaves the connector connected and answering lookups',
  { timeout: 90_000 },
  async (t) => {
    const svc = await startService(t);
    const admin = await svc.attach('admin');
    assert.equal((await admin.handlers['setup.save'](demoSetup(svc.fx, svc.fx.mint('demo')))).ok, true);
    await waitForDemo(admin, 'connected');
    await admin.close();

    const app = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'test/service/attached-app.ts'), svc.dataDir, 'admin'],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    t.after(() => app.kill('SIGKILL'));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      app.stdout.on('data', (d) => {
        out += String(d);
        if (/attached link=connected demo=connected/.test(out)) resolve();
      });
      app.once('exit', () => reject(new Error(`the attached app exited: ${out}`)));
    });
    app.removeAllListeners('exit');
    const gone = new Promise((resolve) => app.once('exit', resolve));
    app.kill('SIGKILL');
    await gone;

    const viewer = await svc.attach('viewer');
    assert.equal(viewer.status().environments.find((e) => e.environment === 'demo')?.state, 'connected');
    for (const patient of [10, 11, 12].map((i) => demoDirectory().at(i))) {
      const res = await svc.fx.call('patient.lookup', { identificationNumber: patient.localIdentifier });
      assert.equal(res.status, 200, 'lookups still answered with the app gone');
      assert.equal(res.body.result.patient.localIdentifier, patient.localIdentifier);
    }
    assert.equal(svc.handle.hasExited, false);
  },
);

test(
  'restarting the service shows reconnecting, then connected, in the attached app',
  { timeout: 120_000 },
  async (t) => {
    const svc = await startService(t);
    const viewer = await svc.attach('viewer');
    const admin = await svc.attach('admin');
    t.diagnostic(`service RSS with nothing set up: ${Math.round((svc.handle.rssKb() ?? 0) / 1024)} MiB`);
    assert.equal((await admin.handlers['setup.save'](demoSetup(svc.fx, svc.fx.mint('demo')))).ok, true);
    await waitForDemo(viewer, 'connected');
    t.diagnostic(`service RSS with Demo connected: ${Math.round((svc.handle.rssKb() ?? 0) / 1024)} MiB`);
    const links = recordLink(viewer);
    const states: string[] = [];
    viewer.on('status', (s) => states.push(s.environments.find((e) => e.environment === 'demo')?.state ?? ''));

    const oldKey = readKey(serviceFiles(svc.dataDir), 'viewer') as string;
    await svc.handle.stop(45_000);
    assert.equal(existsSync(serviceFiles(svc.dataDir).endpointFile), false, 'a clean stop removes control.json');
    const reconnecting = await waitForDemo(viewer, 'connecting');
    assert.equal(viewer.link, 'reconnecting');
    assert.ok(
      reconnecting.warnings.some((w) => w.code === 'service_unreachable'),
      'the reason is shown',
    );

    await svc.restart();
    const listening = performance.now();
    await waitForDemo(viewer, 'connected', 30_000);
    t.diagnostic(
      `attached app connected ${Math.round(performance.now() - listening)} ms after the new service listened`,
    );
    assert.equal(viewer.link, 'connected');
    assert.deepEqual(links, ['reconnecting', 'connected'], 'reconnecting, then connected: nothing in between');
    const first = states.indexOf('connecting');
    assert.ok(first >= 0 && states.lastIndexOf('connected') > first, `states seen: ${states.join(', ')}`);
    const stale = await fetch(`http://127.0.0.1:${svc.port}/v1/hello`, {
      headers: { authorization: `Bearer ${oldKey}` },
    });
    assert.equal(stale.status, 401, 'a key copied before the restart no longer works');

    // The admin, attached before the restart, acts with the new keys without being told.
    assert.equal((await admin.handlers['connector.setPaused']({ paused: true })).ok, true);
    await waitForDemo(viewer, 'paused');
  },
);

test(
  'SIGTERM drains: a call in flight is answered, then the service exits 0 within the grace',
  { timeout: 90_000 },
  async (t) => {
    const svc = await startService(t);
    const admin = await svc.attach('admin');
    const setup = demoSetup(svc.fx, svc.fx.mint('demo'), { patientLookup: { type: 'demo', latencyMs: 3_000 } });
    assert.equal((await admin.handlers['setup.save'](setup)).ok, true);
    await waitForDemo(admin, 'connected');

    const patient = demoDirectory().at(20);
    const call = svc.fx.call('patient.lookup', { identificationNumber: patient.localIdentifier });
    // Wait until the hub has handed the call to the connector, then stop the service.
    for (;;) {
      const res = await fetch(`${svc.fx.hub.httpUrl}/v1/connectors`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      const body = (await res.json()) as { connectors: { inFlight: number }[] };
      if (body.connectors.some((c) => c.inFlight > 0)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const from = svc.handle.lines.length;
    const started = performance.now();
    svc.handle.child.kill('SIGTERM');
    const exit = await svc.handle.exited;
    const tookMs = performance.now() - started;

    const answered = await call;
    assert.equal(answered.status, 200, 'the call in flight was finished, not cut');
    assert.equal(answered.body.result.patient.localIdentifier, patient.localIdentifier);
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(tookMs < 30_000, `drained within the 30 s grace (took ${Math.round(tookMs)} ms)`);
    t.diagnostic(`SIGTERM to exit, with a 3 s lookup in flight: ${Math.round(tookMs)} ms`);
    const text = svc.handle.lines
      .slice(from)
      .map((l) => l.text)
      .join('\n');
    assert.match(text, /stopping: draining calls in flight signal=SIGTERM/);
    assert.match(text, /state draining/);
    assert.match(text, /stopped/);
  },
);

test(
  'a service that hangs without closing the socket is shown as reconnecting, then connected when it wakes',
  { timeout: 90_000 },
  async (t) => {
    const svc = await startService(t);
    const admin = await svc.attach('admin');
    assert.equal((await admin.handlers['setup.save'](demoSetup(svc.fx, svc.fx.mint('demo')))).ok, true);
    await waitForDemo(admin, 'connected');
    const viewer = await svc.attach('viewer', { heartbeatMs: 500 });
    const links = recordLink(viewer);
    svc.handle.child.kill('SIGSTOP');
    t.after(() => void svc.handle.child.kill('SIGCONT'));
    await waitForDemo(viewer, 'connecting', 20_000);
    assert.equal(viewer.link, 'reconnecting');
    svc.handle.child.kill('SIGCONT');
    await waitForDemo(viewer, 'connected', 30_000);
    assert.deepEqual(links.slice(0, 1), ['reconnecting']);
    assert.equal(links.at(-1), 'connected');
  },
);
