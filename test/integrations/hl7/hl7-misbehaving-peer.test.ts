// MLLP against a raw socket peer that misbehaves the ways real interfaces do: answers dribbled a
// byte at a time, stray and stale frames, late answers, sockets closed mid-frame, oversize answers.
import assert from 'node:assert/strict';
import type net from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Hl7PatientSource } from '../../../src/main/integrations/hl7/hl7-source.js';
import { type LookupPolicy, lookupPatient } from '../../../src/main/integrations/lookup-pipeline.js';
import { type Hl7LookupConfig, hl7LookupConfigSchema } from '../../../src/shared/config/hl7-sources.js';
import { RpcError } from '../../../src/shared/protocol/index.js';
import { controlIdOf, frame, startRawPeer } from './hl7-peer.js';
import { assertNoPersonalData, SMITH_PID } from './pdq-fixtures.js';

const POLICY: LookupPolicy = { environment: 'production' };

function config(port: number, extra: Partial<Hl7LookupConfig> = {}): Hl7LookupConfig {
  return hl7LookupConfigSchema.parse({
    type: 'hl7',
    host: '127.0.0.1',
    port,
    sendingApplication: 'CLOUDCONNECTOR',
    receivingApplication: 'PAS',
    localAuthority: 'RX1',
    match: ['local'],
    ...extra,
  });
}

function source(t: { after(fn: () => unknown): void }, cfg: Hl7LookupConfig): Hl7PatientSource {
  const s = new Hl7PatientSource(cfg, process.cwd());
  t.after(() => s.close());
  return s;
}

/** A deadline the way the dispatcher sets one: abort with RpcError('source_timeout'). */
function deadline(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new RpcError('source_timeout')), ms).unref();
  return controller.signal;
}

/** The RSP for a raw query text, finding SMITH for RX12345 and nothing else. */
function answer(query: string): string {
  const id = controlIdOf(query);
  const wanted = /@PID\.3\.1\^([^~|\r]*)/.exec(query)?.[1];
  const found = wanted === 'RX12345';
  return [
    `MSH|^~\\&|PAS|RX1|CC|CLINIC|20240501120000||RSP^K22^RSP_K21|R${id}|P|2.5`,
    `MSA|AA|${id}`,
    `QAK|${id}|${found ? 'OK' : 'NF'}|IHE PDQ Query`,
    ...(found ? [SMITH_PID] : []),
    '',
  ].join('\r');
}

async function failure(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RpcError, `expected RpcError, got ${String(error)}`);
    assertNoPersonalData(error.message);
    return error;
  }
  assert.fail('expected the lookup to fail');
}

async function dribble(socket: net.Socket, bytes: Buffer): Promise<void> {
  for (const byte of bytes) {
    if (socket.destroyed) return;
    socket.write(Buffer.of(byte));
    await new Promise((r) => setImmediate(r));
  }
}

test('an answer split into one-byte TCP chunks is read whole', async (t) => {
  const peer = await startRawPeer(t, (text, socket) => {
    socket.setNoDelay(true);
    void dribble(socket, frame(answer(text)));
  });
  const s = source(t, config(peer.port));
  const result = await lookupPatient(s, 'RX12345', POLICY, { signal: deadline(20_000) });
  assert.equal(result.patient?.familyName, 'SMITH');
  assert.equal(result.patient?.nationalIdentifier, '9434765919');
});

test('stray bytes, a stale answer to another message and the real answer in one chunk', async (t) => {
  const peer = await startRawPeer(t, (text, socket) => {
    const stale = 'MSH|^~\\&|PAS|RX1|CC|CLINIC|20240501120000||ACK|X1|P|2.5\rMSA|AA|CCSTALE0000000000\r';
    socket.write(Buffer.concat([Buffer.from('\r\n'), frame(stale), Buffer.from('\n'), frame(answer(text))]));
  });
  const s = source(t, config(peer.port));
  const result = await lookupPatient(s, 'RX12345', POLICY, { signal: deadline(5_000) });
  assert.equal(result.patient?.localIdentifier, 'RX12345');
});

test('an answer after the deadline is source_timeout, and never taken for the next answer', async (t) => {
  let late = true;
  const peer = await startRawPeer(t, (text, socket) => {
    if (late) {
      late = false;
      setTimeout(() => socket.write(frame(answer(text))), 1_500).unref();
      return;
    }
    socket.write(frame(answer(text)));
  });
  const s = source(t, config(peer.port));
  const started = Date.now();
  const error = await failure(lookupPatient(s, 'RX12345', POLICY, { signal: deadline(150) }));
  assert.equal(error.reason, 'source_timeout');
  assert.ok(Date.now() - started < 1_500, 'answered at the deadline, not when the peer did');
  // The timed-out connection was closed; the next lookup opens a new one and gets its own answer.
  await sleep(1_600);
  const next = await lookupPatient(s, 'RX99999', POLICY, { signal: deadline(5_000) });
  assert.deepEqual(next, { patient: null });
  assert.equal(peer.sockets.length, 2);
  assert.ok(peer.sockets[0]?.destroyed);
});

test('a cancelled lookup closes its connection and answers cancelled', async (t) => {
  const peer = await startRawPeer(t, () => {});
  const s = source(t, config(peer.port));
  const controller = new AbortController();
  const pending = lookupPatient(s, 'RX12345', POLICY, { signal: controller.signal });
  await sleep(100);
  controller.abort(new RpcError('cancelled'));
  assert.equal((await failure(pending)).reason, 'cancelled');
  await sleep(50);
  assert.equal(peer.closed(), 1);
});

test('a peer that closes the socket mid-message is source_unavailable', async (t) => {
  const peer = await startRawPeer(t, (text, socket) => {
    const whole = frame(answer(text));
    socket.end(whole.subarray(0, Math.floor(whole.length / 2)));
  });
  const s = source(t, config(peer.port));
  const started = Date.now();
  const error = await failure(lookupPatient(s, 'RX12345', POLICY, { signal: deadline(5_000) }));
  assert.equal(error.reason, 'source_unavailable');
  assert.match(error.message, /closed the connection/);
  // Said when the peer closed, not at the 5 s deadline.
  assert.ok(Date.now() - started < 5_000);
});

test('a peer that resets an idle connection: the query is sent again on a fresh one', async (t) => {
  let count = 0;
  const peer = await startRawPeer(t, (text, socket) => {
    count++;
    socket.write(frame(answer(text)));
    // After the first answer the peer drops the connection silently (as idle-timeout engines do).
    if (count === 1) setTimeout(() => socket.destroy(), 20);
  });
  const s = source(t, config(peer.port));
  assert.equal((await lookupPatient(s, 'RX12345', POLICY, { signal: deadline(5_000) })).patient?.familyName, 'SMITH');
  await sleep(100);
  assert.equal((await lookupPatient(s, 'RX12345', POLICY, { signal: deadline(5_000) })).patient?.familyName, 'SMITH');
  assert.equal(peer.sockets.length, 2);
});

test('an answer larger than maxMessageBytes is refused and the connection closed', async (t) => {
  const peer = await startRawPeer(t, (text, socket) => {
    const huge = answer(text).replace('SMITH^JOHN', `SMITH^${'J'.repeat(4_000)}`);
    socket.write(frame(huge));
  });
  const s = source(t, config(peer.port, { maxMessageBytes: 2_048 }));
  const error = await failure(lookupPatient(s, 'RX12345', POLICY, { signal: deadline(5_000) }));
  assert.equal(error.reason, 'source_unavailable');
  assert.match(error.message, /maxMessageBytes/);
  await sleep(50);
  assert.equal(peer.closed(), 1);
});

test('an answer that is not HL7 is source_unavailable without echoing it', async (t) => {
  const peer = await startRawPeer(t, (_text, socket) => {
    socket.write(frame('HTTP/1.1 400 Bad Request SMITH 9434765919\r\n\r\n'));
  });
  const s = source(t, config(peer.port));
  const error = await failure(lookupPatient(s, 'RX12345', POLICY, { signal: deadline(5_000) }));
  assert.equal(error.reason, 'source_unavailable');
  assert.match(error.message, /could not be read/);
});

test('a peer that accepts but never answers times out at the deadline', async (t) => {
  const peer = await startRawPeer(t, () => {});
  const s = source(t, config(peer.port));
  const started = Date.now();
  const error = await failure(lookupPatient(s, 'RX12345', POLICY, { signal: deadline(200) }));
  assert.equal(error.reason, 'source_timeout');
  // The peer never answers; this guards only that the call ends (at its deadline), not how promptly.
  assert.ok(Date.now() - started < 5_000);
});
