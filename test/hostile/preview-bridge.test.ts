// The preview bridge (`npm run preview`) as a real process under the seeded HTTP corpus (issue
// 11): malformed targets, methods, headers, bodies and upgrades, with and without its cookie,
// slow clients, and hostile frames on its status WebSocket. After the batch it must still serve its page and answer an IPC call, and
// have logged none of the planted personal data.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { corpusSeed, frameCorpus, httpCorpus, inBatches, personalDataIn, Rng, within } from './corpus.js';
import { rawHttp, rawWebSocket, slowClient } from './raw-wire.js';

const SEED = corpusSeed();

test(`preview bridge: malformed HTTP requests and upgrades, slow and half-open clients (seed ${SEED})`, async (t) => {
  t.diagnostic(`hostile corpus seed ${SEED} (HOSTILE_SEED=${SEED} replays it)`);
  console.log(`hostile corpus seed: ${SEED} (set HOSTILE_SEED=${SEED} to replay)`);
  const rng = new Rng(SEED + 3);
  const dir = tempDir(t);
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/preview.ts', '--port', '0', '--dir', dir], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  t.after(() => {
    if (!exited) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const preview = {
    get hasExited() {
      return exited;
    },
    lines: () => output.split('\n'),
  };
  const origin = await within(
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const match = /Cloud Connector preview: (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
        if (match) resolve(match[1] as string);
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.once('exit', (code) => reject(new Error(`preview exited with ${code}:\n${output}`)));
    }),
    60_000,
    'the preview did not start',
  );
  const port = Number(new URL(origin).port);
  const host = `127.0.0.1:${port}`;
  const page = await fetch(`${origin}/`);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] as string;
  assert.match(cookie, /^cc_bridge_\d+=/);

  const checkpoint = async (batch: string) => {
    assert.equal(preview.hasExited, false, `the preview is running after ${batch}`);
    assert.equal((await fetch(`${origin}/`)).status, 200, `the page is served after ${batch}`);
    const reply = await fetch(`${origin}/ipc/status.get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, cookie },
      body: '{}',
    });
    assert.equal((await reply.json()).ok, true, `an IPC call is answered after ${batch}`);
    assert.deepEqual(personalDataIn(preview.lines()), [], `no planted personal data logged (${batch})`);
  };

  const slow = Array.from({ length: 3 }, () => slowClient(port, host));
  t.after(() => {
    for (const s of slow) s.stop();
  });
  const paths = [
    '/',
    '/index.html',
    '/renderer.js',
    '/bridge-client.js',
    '/ipc/status.get',
    '/ipc/setup.save',
    '/events',
  ];
  const withCookie = httpCorpus(rng, 150, {
    host,
    paths,
    headers: { origin, cookie, 'content-type': 'application/json' },
  });
  const without = httpCorpus(rng, 100, { host, paths });
  const statuses = new Map<string, number>();
  await inBatches([...withCookie, ...without], 16, async (c) => {
    const answer = await rawHttp(port, c.bytes, { endAfterWrite: c.endAfterWrite, timeoutMs: 4_000 });
    const key = `${answer.status ?? 'closed'}`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    assert.ok(answer.status === null || answer.status < 500, `${c.kind}: answered ${answer.status}`);
  });
  t.diagnostic(`bridge answers: ${JSON.stringify(Object.fromEntries(statuses))}`);
  await checkpoint('the HTTP corpus');

  // Its status WebSocket, opened as the page opens it, then sent what no page would send.
  let eventSockets = 0;
  for (const c of frameCorpus(rng, 300, { fromClient: true, methods: ['status.get'] })) {
    const ws = await rawWebSocket(port, { path: '/events', protocol: null, headers: { origin, cookie } });
    if ('refused' in ws) assert.fail(`the page's own status socket was refused with ${ws.refused}`);
    eventSockets++;
    ws.send(c.frame);
    await ws.roundTrip(2_000);
    ws.socket.destroy();
  }
  t.diagnostic(`${eventSockets} status sockets sent a hostile frame each`);
  await checkpoint('frames on the status socket');
  await within(Promise.all(slow.map((s) => s.closed)), 25_000, 'slow clients are still connected after 25 s');
  await checkpoint('the slow clients');
});
