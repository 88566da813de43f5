// The tokens file as it really changes under a running hub (issue 11): an editor saving it
// (empty, then half-written for a moment), a deploy replacing it, someone turning it into a
// directory. None of that revokes anyone or ends the hub; only an explicit `revoked` entry, or a
// passed `expiresAt`, closes a connected session.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { hashToken } from '../../src/hub/tokens-file.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { helloMessage } from '../helpers/hello-message.js';
import { startTestHub } from '../helpers/hub-fixture.js';

/** Opens a socket and says hello; resolves with the socket once accepted, or the close code. */
function connect(url: string, token: string): Promise<{ ws: WebSocket } | { closed: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['connector.v1']);
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify(helloMessage(token))));
    ws.once('message', () => resolve({ ws }));
    ws.once('close', (code) => resolve({ closed: code }));
  });
}

async function accepted(url: string, token: string): Promise<WebSocket> {
  const result = await connect(url, token);
  assert.ok('ws' in result, `the hello was refused with ${'closed' in result ? result.closed : '?'}`);
  return result.ws;
}

/** Long enough for the file watcher (500 ms polling) to have seen a change. */
const watcherTurn = () => sleep(1_300);

test('the tokens file replaced by a directory: the hub keeps running, keeps its sessions and tokens, and warns once', async (t) => {
  const logger = captureLogger();
  const fx = await startTestHub(t, { logger });
  const token = fx.mint();
  const live = await accepted(fx.hub.wsUrl, token);
  const saved = readFileSync(fx.tokensFile);
  rmSync(fx.tokensFile);
  mkdirSync(fx.tokensFile);
  t.after(() => rmSync(fx.tokensFile, { recursive: true, force: true }));
  await watcherTurn();
  await watcherTurn();
  assert.equal(live.readyState, WebSocket.OPEN, 'the connected session is untouched');
  (await accepted(fx.hub.wsUrl, token)).close();
  const warnings = logger.lines.filter((l) => /tokens file could not be read/.test(l));
  assert.equal(warnings.length, 1, `warned once, not on every poll: ${warnings.length}`);
  assert.match(warnings[0] ?? '', /EISDIR/);

  rmSync(fx.tokensFile, { recursive: true });
  writeFileSync(fx.tokensFile, saved);
  await watcherTurn();
  (await accepted(fx.hub.wsUrl, token)).close();
  assert.equal((await fetch(`${fx.hub.httpUrl}/healthz`)).status, 200);
  live.close();
});

test('an empty, missing or half-written tokens file revokes nobody; an explicit revoked entry does', async (t) => {
  const fx = await startTestHub(t);
  const token = fx.mint();
  const other = fx.mint();
  const live = await accepted(fx.hub.wsUrl, token);
  const whole = readFileSync(fx.tokensFile, 'utf8');

  writeFileSync(fx.tokensFile, ''); // an editor truncating before it writes
  await watcherTurn();
  assert.equal(live.readyState, WebSocket.OPEN, 'an empty file closes nothing');
  (await accepted(fx.hub.wsUrl, token)).close();

  writeFileSync(fx.tokensFile, whole.slice(0, whole.length - 40)); // the last line cut in half
  await watcherTurn();
  assert.equal(live.readyState, WebSocket.OPEN, 'a half-written file closes nothing');
  (await accepted(fx.hub.wsUrl, other)).close();

  renameSync(fx.tokensFile, `${fx.tokensFile}.moved`); // a deploy between removing and copying
  await watcherTurn();
  assert.equal(live.readyState, WebSocket.OPEN, 'a missing file closes nothing');
  (await accepted(fx.hub.wsUrl, token)).close();
  renameSync(`${fx.tokensFile}.moved`, fx.tokensFile);

  const closed = new Promise<number>((resolve) => live.once('close', (code) => resolve(code)));
  const revoked = { tenant: 'acme', environment: 'demo', sha256: hashToken(token), revoked: true };
  writeFileSync(
    fx.tokensFile,
    whole
      .split('\n')
      .filter((l) => !l.includes(hashToken(token)))
      .join('\n'),
  );
  appendFileSync(fx.tokensFile, `${JSON.stringify(revoked)}\n`);
  assert.equal(await closed, 4401, 'the revoked token closes its session');
  const again = await connect(fx.hub.wsUrl, token);
  assert.deepEqual(again, { closed: 4401 });
  (await accepted(fx.hub.wsUrl, other)).close();
});

test('the tokens file replaced by a named pipe: the hub does not wait on it, keeps its tokens, and warns', async (t) => {
  const logger = captureLogger();
  const fx = await startTestHub(t, { logger });
  const token = fx.mint();
  (await accepted(fx.hub.wsUrl, token)).close(); // the hub has loaded the token
  const saved = readFileSync(fx.tokensFile);
  rmSync(fx.tokensFile);
  // A pipe nobody writes to: opening it to read would block the hub's only thread for good.
  execFileSync('mkfifo', [fx.tokensFile]);
  // A writer that turns up after 15 s, so that a hub blocked on the pipe wakes up and this test
  // fails instead of hanging.
  const writer = spawn('sh', ['-c', 'sleep 15; exec 3>"$0"', fx.tokensFile], { stdio: 'ignore' });
  t.after(() => {
    writer.kill();
    rmSync(fx.tokensFile, { force: true });
  });
  const started = performance.now();
  await watcherTurn();
  const health = await fetch(`${fx.hub.httpUrl}/healthz`);
  assert.equal(health.status, 200, 'the hub still answers');
  const tookMs = performance.now() - started;
  assert.ok(tookMs < 12_000, `the hub answered after ${Math.round(tookMs)} ms: it waited on the pipe`);
  (await accepted(fx.hub.wsUrl, token)).close();
  assert.ok(
    logger.lines.some((l) => /tokens file could not be read \(not a regular file\)/.test(l)),
    'the operator is told why',
  );
  rmSync(fx.tokensFile);
  writeFileSync(fx.tokensFile, saved);
});
