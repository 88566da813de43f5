// The hostile-input suite, connector part: a real `cloud-connector run` process is attacked by a
// hostile platform — a few thousand malformed WebSocket frames from the seeded corpus (bad JSON,
// wrong types, huge and deep values, duplicate and exotic ids, binary and broken frames) — and its
// health port by a few hundred malformed HTTP requests. After each batch the process is up,
// answers the next good lookup correctly, and has written none of the planted personal data to
// its logs, its answers (the echoed request id aside, as JSON-RPC requires) or its data folder
// (the audit log included). `HOSTILE_SEED=<n>` replays a run.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { type FakeSocket, startFakePlatform } from '../helpers/fake-platform.js';
import { startConnectorProcess } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freePort } from '../redundancy/free-port.js';
import { corpusSeed, frameCorpus, httpCorpus, inBatches, personalDataIn, Rng } from './corpus.js';
import { rawHttp } from './raw-wire.js';

const SEED = corpusSeed();
const TOKEN = 'cc_demo_hostilePlatformTestToken_0123456789';
const METHODS = ['patient.lookup', 'consent.store', 'connector.info'];
/** Frames after which a WebSocket client must fail the connection (RFC 6455), so each gets one of its own. */
const CONNECTION_ENDING = new Set([
  'binary',
  'bad-utf8',
  'reserved-opcode',
  'wrong-mask',
  'fragment-start',
  'orphan-continuation',
  'long-ping',
]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Rig {
  healthPort: number;
  /** The newest connection whose hello was accepted and that is still open. */
  live(): Promise<FakeSocket>;
  checkpoint(batch: string): Promise<void>;
  /** Every message the connector sent, as text, with the echoed request id left out. */
  answers(): string[];
  dataDir: string;
}

async function rig(t: TestContext): Promise<Rig> {
  t.diagnostic(`hostile corpus seed ${SEED} (HOSTILE_SEED=${SEED} replays it)`);
  const platform = await startFakePlatform(t);
  const accepted: FakeSocket[] = [];
  let stopped = false;
  t.after(() => {
    stopped = true;
  });
  // Every connection the connector opens is accepted, so that it always has a session to attack.
  void (async () => {
    while (!stopped) {
      try {
        const socket = await platform.nextConnection(60_000);
        await socket.acceptHello();
        accepted.push(socket);
      } catch {
        // no connection for a while, or one that closed before its hello
      }
    }
  })();
  const dir = tempDir(t);
  const healthPort = await freePort();
  const connector = startConnectorProcess(t, {
    dir,
    token: TOKEN,
    config: {
      platformUrl: platform.url,
      healthPort,
      logs: { level: 'debug' },
      timers: { backoffBaseMs: 20, backoffCapMs: 100 },
    },
  });
  await connector.waitConnected();
  let checks = 0;
  const live = async (): Promise<FakeSocket> => {
    for (let i = 0; i < 200; i++) {
      const socket = accepted.findLast((s) => s.closedWith === null && s.ws.readyState === s.ws.OPEN);
      if (socket) return socket;
      await sleep(50);
    }
    throw new Error('the connector did not come back to the platform within 10 s');
  };
  return {
    healthPort,
    dataDir: path.join(dir, 'data'),
    live,
    answers: () =>
      platform.connections.flatMap((c) =>
        c.received.map((m) => JSON.stringify(m && typeof m === 'object' ? { ...m, id: undefined } : m)),
      ),
    async checkpoint(batch) {
      assert.equal(connector.handle.hasExited, false, `the connector is running after ${batch}`);
      // A platform.goaway in the corpus makes the connector move to a new connection and close the
      // old one, so a lookup sent on a connection that then closes is asked again on the new one.
      let answer: { result?: { patient?: { localIdentifier?: string } } } | null = null;
      for (let attempt = 0; attempt < 3 && !answer; attempt++) {
        const socket = await live();
        const id = `check-${++checks}`;
        socket.request(id, 'patient.lookup', { identificationNumber: 'd100000' });
        answer = await Promise.race([socket.response(id, 10_000), socket.whenClosed(10_000).then(() => null)]).catch(
          () => null,
        );
      }
      if (!answer) {
        const tail = connector.handle.lines.slice(-15).map((l) => l.text);
        assert.fail(`no answer to a good lookup after ${batch}:\n${tail.join('\n')}`);
      }
      assert.equal(answer.result?.patient?.localIdentifier, 'D100000', `a good lookup after ${batch}`);
      const ready = await fetch(`http://127.0.0.1:${healthPort}/ready`);
      assert.equal(ready.status, 200, `ready after ${batch}`);
      assert.deepEqual(
        personalDataIn(connector.handle.lines.map((l) => l.text)),
        [],
        `no planted personal data logged (${batch})`,
      );
    },
  };
}

/** Everything under a folder, as latin1 text (SQLite pages and WAL included). */
function filesText(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .map((file) => readFileSync(file).toString('latin1'));
}

test(`connector: a few thousand malformed frames from a hostile platform (seed ${SEED})`, async (t) => {
  const r = await rig(t);
  const rng = new Rng(SEED + 2);
  const corpus = frameCorpus(rng, 2_500, { fromClient: false, methods: METHODS });
  const ending = corpus.filter((c) => CONNECTION_ENDING.has(c.kind)).slice(0, 60);
  const kept = corpus.filter((c) => !CONNECTION_ENDING.has(c.kind));
  t.diagnostic(`${kept.length} frames on live sessions, ${ending.length} that end one`);

  // Frames a client must survive on the same connection, written straight to the socket in batches.
  for (let i = 0; i < kept.length; i += 250) {
    const batch = kept.slice(i, i + 250);
    const socket = await r.live();
    const raw = (socket.ws as unknown as { _socket: { write(b: Buffer): void } })._socket;
    for (const c of batch) raw.write(c.frame);
    await r.checkpoint(`frames ${i + 1}–${i + batch.length} (${[...new Set(batch.map((c) => c.kind))].length} kinds)`);
  }
  // Frames that end the connection: each on a session of its own; the connector comes back.
  for (const [i, c] of ending.entries()) {
    const socket = await r.live();
    (socket.ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(c.frame);
    if (c.kind === 'fragment-start') {
      // The fragment's continuation never comes; a text frame instead is the protocol error.
      (socket.ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x81, 0x00]));
    }
    await socket.whenClosed(10_000).catch(() => assert.fail(`${c.kind}: the connector kept the connection`));
    if (i % 20 === 19) await r.checkpoint(`${i + 1} connection-ending frames`);
  }
  await r.checkpoint('the whole frame corpus');
  assert.deepEqual(personalDataIn(r.answers()), [], 'no planted personal data in any answer');
  assert.deepEqual(personalDataIn(filesText(r.dataDir)), [], 'no planted personal data in the data folder');
});

test(`connector: malformed HTTP requests to the health port (seed ${SEED})`, async (t) => {
  const r = await rig(t);
  const rng = new Rng(SEED + 3);
  const cases = httpCorpus(rng, 300, { host: `127.0.0.1:${r.healthPort}`, paths: ['/ready', '/metrics'] });
  const statuses = new Map<string, number>();
  await inBatches(cases, 16, async (c) => {
    const answer = await rawHttp(r.healthPort, c.bytes, { endAfterWrite: c.endAfterWrite, timeoutMs: 4_000 });
    const key = `${answer.status ?? 'closed'}`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    assert.ok(answer.status === null || answer.status < 500, `${c.kind}: answered ${answer.status}`);
    assert.deepEqual(personalDataIn([answer.text]), [], `${c.kind}: the answer repeats nothing it was sent`);
  });
  t.diagnostic(`HTTP answers: ${JSON.stringify(Object.fromEntries(statuses))}`);
  await r.checkpoint('the HTTP corpus');
});
