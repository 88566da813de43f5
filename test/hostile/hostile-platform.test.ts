// The connector as a real process facing a hostile platform (issue 11): a seeded corpus of
// fifteen hundred malformed requests, notifications and raw frames (bad JSON, wrong types, huge
// and deep params, duplicate and exotic ids, `$/cancelRequest` with odd ids, binary and reserved
// frames), and a few hundred malformed HTTP requests against its health port. After each batch
// the connector must still be running, answer the next good lookup correctly (reconnecting
// first if the platform's frames made it close), and have logged none of the planted personal data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { type FakeSocket, startFakePlatform } from '../helpers/fake-platform.js';
import { startConnectorProcess } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freePort } from '../redundancy/free-port.js';
import { corpusSeed, frameCorpus, httpCorpus, inBatches, personalDataIn, Rng, within } from './corpus.js';
import { rawHttp, slowClient } from './raw-wire.js';

const SEED = corpusSeed();

/** Writes a raw frame on the platform's side of the socket (what `ws` itself would never send). */
function writeRaw(socket: FakeSocket, frame: Buffer): void {
  (socket.ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(frame);
}

/** Pings the connector: true at its pong (it has read everything sent before), false if the socket went. */
function roundTrip(socket: FakeSocket, timeoutMs = 3_000): Promise<boolean> {
  if (socket.closedWith !== null || socket.ws.readyState !== socket.ws.OPEN) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (value: boolean) => {
      clearTimeout(timer);
      socket.ws.off('pong', onPong);
      socket.ws.off('close', onClose);
      resolve(value);
    };
    const onPong = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.ws.on('pong', onPong);
    socket.ws.on('close', onClose);
    socket.ws.ping();
  });
}

test(`connector: a hostile platform's frames and malformed requests to its health port (seed ${SEED})`, async (t) => {
  t.diagnostic(`hostile corpus seed ${SEED} (HOSTILE_SEED=${SEED} replays it)`);
  console.log(`hostile corpus seed: ${SEED} (set HOSTILE_SEED=${SEED} to replay)`);
  const rng = new Rng(SEED + 2);
  const platform = await startFakePlatform(t);
  const healthPort = await freePort();
  const connector = startConnectorProcess(t, {
    dir: tempDir(t),
    token: 'cc_demo_hostilePlatformTestToken_0123456789',
    config: {
      platformUrl: platform.url,
      healthPort,
      timers: { backoffBaseMs: 20, backoffCapMs: 100, backoffResetAfterMs: 1 },
    },
  });
  const patient = demoDirectory().at(0);
  assert.ok(patient);
  let socket = await platform.nextConnection(20_000);
  await socket.acceptHello();
  let reconnects = 0;
  const current = async (): Promise<FakeSocket> => {
    if (socket.closedWith === null && socket.ws.readyState === socket.ws.OPEN) return socket;
    socket = await platform.nextConnection(10_000);
    await socket.acceptHello();
    reconnects++;
    return socket;
  };
  let goodId = 0;
  const checkpoint = async (batch: string) => {
    assert.equal(connector.handle.hasExited, false, `the connector is running after ${batch}`);
    // A frame left half-sent (a fragment without its end) makes the good request a protocol
    // error on that connection, which the connector rightly closes: then it is asked again on
    // the connection it opens next.
    let answer: any = null;
    for (let attempt = 0; attempt < 3 && answer === null; attempt++) {
      const s = await current();
      const id = `good-${++goodId}`;
      s.request(id, 'patient.lookup', { identificationNumber: patient.localIdentifier });
      answer = await Promise.race([s.response(id), s.whenClosed().then(() => null)]);
    }
    assert.equal(answer?.result?.patient?.localIdentifier, patient.localIdentifier, `a good lookup after ${batch}`);
    const ready = await rawHttp(healthPort, `GET /ready HTTP/1.1\r\nHost: 127.0.0.1:${healthPort}\r\n\r\n`);
    assert.equal(ready.status, 200, `the health port answers after ${batch}`);
    const leaked = personalDataIn(connector.handle.lines.map((l) => l.text));
    assert.deepEqual(leaked, [], `no planted personal data logged (${batch})`);
  };
  await connector.waitConnected();
  await checkpoint('the start');
  // Slow clients on the health port from the start: cut by its 10 s header timeout meanwhile.
  const host = `127.0.0.1:${healthPort}`;
  const slow = Array.from({ length: 3 }, () => slowClient(healthPort, host));
  t.after(() => {
    for (const s of slow) s.stop();
  });

  const frames = frameCorpus(rng, 1_500, {
    fromClient: false,
    methods: ['patient.lookup', 'consent.store', 'connector.info'],
  });
  for (let batch = 0; batch < 3; batch++) {
    for (const c of frames.slice(batch * 500, batch * 500 + 500)) {
      const s = await current();
      writeRaw(s, c.frame);
      await roundTrip(s);
    }
    await checkpoint(`frames ${batch * 500 + 1}–${batch * 500 + 500}`);
  }
  t.diagnostic(`1500 platform frames: the connector closed and reconnected ${reconnects} times`);

  const statuses = new Map<string, number>();
  await inBatches(httpCorpus(rng, 250, { host, paths: ['/ready', '/metrics'] }), 16, async (c) => {
    const answer = await rawHttp(healthPort, c.bytes, { endAfterWrite: c.endAfterWrite, timeoutMs: 4_000 });
    const key = `${answer.status ?? 'closed'}`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    assert.ok(answer.status === null || answer.status < 500, `${c.kind}: answered ${answer.status}`);
  });
  t.diagnostic(`health port answers: ${JSON.stringify(Object.fromEntries(statuses))}`);
  await checkpoint('the HTTP corpus on the health port');
  await within(Promise.all(slow.map((s) => s.closed)), 25_000, 'slow clients are still connected after 25 s');
  await checkpoint('the slow clients');
});
