// `cloud-connector run` as a real process against a platform written only from the protocol page.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startFakePlatform } from '../helpers/fake-platform.js';
import { spawnCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

test('run: hello, info, lookup, malformed frame, cancel; SIGTERM drains and exits 0; no token in the log', async (t) => {
  const platform = await startFakePlatform(t);
  const dir = tempDir(t);
  const token = 'cc_demo_processTestToken_0123456789abcdefgh';
  writeFileSync(path.join(dir, 'token'), `${token}\n`, { mode: 0o600 });
  writeFileSync(
    path.join(dir, 'connector.json'),
    JSON.stringify({
      environment: 'demo',
      platformUrl: platform.url,
      tokenFile: 'token',
      patientLookup: { type: 'demo', latencyMs: 300 },
    }),
  );
  const child = spawnCli(['run', '--config', path.join(dir, 'connector.json')]);
  t.after(() => child.kill('SIGKILL'));
  const socket = await platform.nextConnection(20_000);
  const hello = await socket.acceptHello();
  assert.equal(hello.params.token, token);
  assert.deepEqual(hello.params.methods, ['patient.lookup']);

  socket.request(1, 'connector.info', {});
  assert.equal((await socket.response(1)).result.environment, 'demo');
  socket.request(2, 'patient.lookup', { identificationNumber: 'd100042' });
  assert.equal((await socket.response(2)).result.patient.localIdentifier, 'D100042');
  socket.ws.send('][');
  assert.equal((await socket.next((m) => m?.error?.code === -32700)).id, null);
  socket.request(3, 'patient.lookup', { identificationNumber: 'd100043' });
  socket.send({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 3 } });
  assert.equal((await socket.response(3)).error.code, -32800);

  socket.request(4, 'patient.lookup', { identificationNumber: 'd100044' });
  await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGTERM');
  await socket.next((m) => m?.method === 'connector.draining');
  assert.ok((await socket.response(4)).result.patient, 'the call in flight was finished');
  assert.equal(await socket.whenClosed(), 1001);
  const code = await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(code, 0);
  const log = child.output();
  assert.match(log, /state connected/);
  assert.match(log, /state draining/);
  assert.ok(!log.includes(token), 'the token is never logged');
  assert.ok(!log.includes('D100042') && !log.toLowerCase().includes('d100042'), 'no identifier in the log');
});
