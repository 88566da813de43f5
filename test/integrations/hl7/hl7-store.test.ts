// consentStore {"type":"hl7"}: MDM^T02 with the PDF as base64 in OBX-5 (ED) to a real MLLP receiver
// (@medplum/hl7), the ACK read by MSA-2, idempotency by documentId, refusals, limits and charsets.
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Hl7Message } from '@medplum/core';
import { storeConsent } from '../../../src/main/integrations/consent-pipeline.js';
import { ACKNOWLEDGED_FILE, Hl7ConsentStore } from '../../../src/main/integrations/hl7/hl7-store.js';
import { type Hl7StoreConfig, hl7StoreConfigSchema } from '../../../src/shared/config/hl7-sources.js';
import { type ConsentStoreParams, RpcError } from '../../../src/shared/protocol/index.js';
import { captureLogger } from '../../helpers/capture-logger.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { controlIdOf, frame, startMedplumPeer, startRawPeer, unusedPort } from './hl7-peer.js';
import { assertNoPersonalData } from './pdq-fixtures.js';

function config(port: number, extra: Partial<Hl7StoreConfig> = {}): Hl7StoreConfig {
  return hl7StoreConfigSchema.parse({
    type: 'hl7',
    host: '127.0.0.1',
    port,
    sendingApplication: 'CLOUDCONNECTOR',
    sendingFacility: 'CLINIC',
    receivingApplication: 'EDMS',
    receivingFacility: 'RX1',
    localAuthority: 'RX1',
    ...extra,
  });
}

function store(t: { after(fn: () => unknown): void }, cfg: Hl7StoreConfig, dataDir?: string): Hl7ConsentStore {
  const s = new Hl7ConsentStore(cfg, { configDir: process.cwd(), dataDir });
  t.after(() => s.close());
  return s;
}

function pdf(size = 2_000): Buffer {
  return Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size)]);
}

const PATIENT = {
  localIdentifier: 'RX12345',
  nationalIdentifier: '9434765919',
  familyName: 'SMITH',
  firstName: 'JOHN',
  dateOfBirth: '1970-01-01',
};
/** Everything personal in the params, for the scans. */
const PERSONAL = ['RX12345', '9434765919', 'SMITH', 'JOHN', '1970-01-01', '19700101', 'Total knee replacement'];

function params(bytes = pdf(), patient: Partial<ConsentStoreParams['patient']> = {}): ConsentStoreParams {
  return {
    documentId: randomUUID(),
    episodeId: 'EP-1001',
    fileName: 'consent-knee.pdf',
    contentType: 'application/pdf',
    dataBase64: bytes.toString('base64'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    patient: { ...PATIENT, ...patient },
    document: {
      title: 'Consent to surgery',
      procedure: 'Total knee replacement',
      side: 'left',
      consentedAt: '2024-05-01T10:15:00+01:00',
      confirmedAt: '2024-05-01T10:20:30Z',
      responsibleClinician: 'Dr A Surgeon',
      episodeHash: 'h1',
    },
  };
}

function call(s: Hl7ConsentStore, p: ConsentStoreParams, timeoutMs = 5_000) {
  return storeConsent(s, p, { signal: AbortSignal.timeout(timeoutMs) });
}

async function failure(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RpcError, `expected RpcError, got ${String(error)}`);
    for (const value of PERSONAL) assert.ok(!error.message.includes(value), `personal value in: ${error.message}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

const ack = (code: 'AA' | 'CA') => (m: Hl7Message) => m.buildAck({ ackCode: code });

test('MDM^T02 carries patient, TXA and the PDF as one-line base64 in OBX-5; AA stores it', async (t) => {
  const peer = await startMedplumPeer(t, ack('AA'));
  const s = store(t, config(peer.port), tempDir(t));
  const bytes = pdf(20_000);
  const p = params(bytes);
  const result = await call(s, p);
  assert.deepEqual(result, { stored: true, location: `hl7://EDMS/${p.documentId}`, duplicate: false });
  const m = peer.received[0];
  assert.ok(m);
  assert.deepEqual(m.segments.map((seg) => seg.name).filter(Boolean), [
    'MSH',
    'EVN',
    'PID',
    'PV1',
    'TXA',
    'OBX',
    'NTE',
  ]);
  const msh = m.getSegment('MSH');
  assert.equal(msh?.getField(9)?.toString(), 'MDM^T02^MDM_T02');
  assert.equal(msh?.getField(5)?.toString(), 'EDMS');
  assert.equal(m.getSegment('EVN')?.getField(1)?.toString(), 'T02');
  const pid = m.getSegment('PID');
  assert.equal(pid?.getField(3)?.toString(), 'RX12345^^^RX1^MR~9434765919^^^NHS^NH');
  assert.equal(pid?.getField(5)?.toString(), 'SMITH^JOHN');
  assert.equal(pid?.getField(7)?.toString(), '19700101');
  const txa = m.getSegment('TXA');
  assert.equal(txa?.getField(2)?.toString(), 'CONSENT');
  assert.equal(txa?.getField(3)?.toString(), 'AP');
  assert.equal(txa?.getField(4)?.toString(), '20240501101500+0100');
  assert.equal(txa?.getField(12)?.getComponent(1), p.documentId);
  assert.equal(txa?.getField(16)?.toString(), 'consent-knee.pdf');
  assert.equal(txa?.getField(17)?.toString(), 'AU');
  const obx = m.getSegment('OBX');
  assert.equal(obx?.getField(2)?.toString(), 'ED');
  assert.equal(obx?.getField(3)?.getComponent(2), 'Consent to surgery');
  const ed = obx?.getField(5);
  assert.deepEqual(
    [2, 3, 4].map((c) => ed?.getComponent(c)),
    ['AP', 'PDF', 'Base64'],
  );
  assert.ok(Buffer.from(ed?.getComponent(5) ?? '', 'base64').equals(bytes), 'the PDF arrives byte for byte');
  assert.equal(obx?.getField(11)?.toString(), 'F');
  assert.match(m.getSegment('NTE')?.getField(3)?.toString() ?? '', /Total knee replacement/);
});

test('the same documentId again answers duplicate and sends nothing, also after a restart', async (t) => {
  const peer = await startMedplumPeer(t, ack('AA'));
  const dataDir = tempDir(t);
  const s = store(t, config(peer.port), dataDir);
  const p = params();
  const first = await call(s, p);
  const again = await call(s, p);
  assert.deepEqual(again, { ...first, duplicate: true });
  const restarted = store(t, config(peer.port), dataDir);
  assert.deepEqual(await call(restarted, p), { ...first, duplicate: true });
  assert.equal(peer.received.length, 1);
  // The local record holds ids and locations only.
  const record = readFileSync(path.join(dataDir, ACKNOWLEDGED_FILE), 'utf8');
  assert.match(record, new RegExp(p.documentId));
  for (const value of PERSONAL) assert.ok(!record.includes(value));
});

test('two concurrent calls for one documentId file it once', async (t) => {
  const peer = await startMedplumPeer(t, async (m) => {
    await sleep(50);
    return m.buildAck({ ackCode: 'AA' });
  });
  const s = store(t, config(peer.port));
  const p = params();
  const results = await Promise.all([call(s, p), call(s, p)]);
  assert.deepEqual(results.map((r) => r.duplicate).sort(), [false, true]);
  assert.equal(peer.received.length, 1);
});

test('AE is an error with the receiver’s error code and none of its text; nothing is recorded', async (t) => {
  let code = 'AE';
  const peer = await startMedplumPeer(t, (m) => {
    const id = m.getSegment('MSH')?.getField(10)?.toString();
    if (code === 'AA') return m.buildAck({ ackCode: 'AA' });
    // A receiver that echoes the patient in its text, as some do.
    return [
      `MSH|^~\\&|EDMS|RX1|CLOUDCONNECTOR|CLINIC|20240501120000||ACK^T02^ACK|A1|P|2.5`,
      `MSA|${code}|${id}|Patient SMITH, JOHN (RX12345, NHS 943 476 5919, born 19700101) not on file`,
      'ERR|||204^Unknown key identifier^HL70357|E',
    ].join('\r');
  });
  const s = store(t, config(peer.port), tempDir(t));
  const p = params();
  const ae = await failure(call(s, p));
  assert.equal(ae.reason, 'source_unavailable');
  assert.match(ae.message, /did not accept the document \(AE: 204\)\.$/);
  code = 'AR';
  const ar = await failure(call(s, p));
  assert.match(ar.message, /\(AR: 204\)\.$/);
  for (const text of [ae.message, ar.message]) assert.ok(!/Unknown|SMITH|not on file/i.test(text), text);
  // Not recorded as filed: the retry sends it again and is not a duplicate.
  code = 'AA';
  assert.equal((await call(s, p)).duplicate, false);
  assert.equal(peer.received.length, 3);
});

test('receiver free text is never shown, even naming another patient: only a checked code', async (t) => {
  let answer = '';
  const peer = await startMedplumPeer(t, (m) => {
    const id = m.getSegment('MSH')?.getField(10)?.toString();
    return `MSH|^~\\&|EDMS|RX1|CC|CLINIC|20240501120000||ACK|A1|P|2.5\r${answer.replace('{id}', id ?? '')}`;
  });
  const s = store(t, config(peer.port));
  // Nothing in these texts comes from our message, so no redaction of our values could catch them.
  const other = ['Jones', 'Anna', 'ZZ99887', '19811203'];
  const cases: Array<[string, string]> = [
    ['MSA|AE|{id}|Already filed for JONES, Anna (ZZ99887) born 19811203', '(AE).'],
    ['MSA|AE|{id}|Already filed for JONES, Anna|||DUP.01^Duplicate for Jones Anna ZZ99887', '(AE: DUP.01).'],
    ['MSA|AR|{id}|Refused\rERR|||207^Held for Jones Anna ZZ99887^HL70357|E||||Jones Anna ZZ99887', '(AR: 207).'],
    // A "code" that is really text (spaces, too long) is not shown either.
    ['MSA|AE|{id}\rERR|||Jones Anna ZZ99887^x|E', '(AE).'],
  ];
  for (const [ack, shown] of cases) {
    answer = ack;
    const error = await failure(call(s, params()));
    assert.ok(error.message.endsWith(shown), `${error.message} for ${ack}`);
    assertNoPersonalData(error.message, other);
  }
});

test('CA (an enhanced-mode commit accept) counts as stored', async (t) => {
  const peer = await startMedplumPeer(t, ack('CA'));
  const s = store(t, config(peer.port));
  assert.equal((await call(s, params())).stored, true);
});

test('a message over maxMessageBytes is integrity_error and is not sent', async (t) => {
  const peer = await startMedplumPeer(t, ack('AA'));
  const s = store(t, config(peer.port, { maxMessageBytes: 64 * 1024 }));
  const error = await failure(call(s, params(pdf(60 * 1024))));
  assert.equal(error.reason, 'integrity_error');
  assert.match(error.message, /maxMessageBytes/);
  assert.equal(peer.received.length, 0);
});

test('ISO-8859-1: accented names arrive as Latin-1 bytes; characters outside it degrade', async (t) => {
  const peer = await startMedplumPeer(t, ack('AA'), { encoding: 'latin1' });
  const s = store(t, config(peer.port, { encoding: 'ISO-8859-1' }));
  await call(s, params(pdf(), { familyName: 'BRONTË-ŁUKASZ', firstName: 'ZOË' }));
  const m = peer.received[0];
  assert.equal(m?.getSegment('MSH')?.getField(18)?.toString(), '8859/1');
  assert.equal(m?.getSegment('PID')?.getField(5)?.toString(), 'BRONTË-?UKASZ^ZOË');
});

test('delimiters and line breaks in values cannot add fields or segments', async (t) => {
  const peer = await startMedplumPeer(t, ack('AA'));
  const s = store(t, config(peer.port));
  const p = params();
  p.document.procedure = 'Knee | hip ^ wash\rOBX|2|TX|||injected';
  p.patient.familyName = "O'BRIEN&SONS";
  await call(s, p);
  const m = peer.received[0];
  assert.deepEqual(m?.segments.map((seg) => seg.name).filter(Boolean), [
    'MSH',
    'EVN',
    'PID',
    'PV1',
    'TXA',
    'OBX',
    'NTE',
  ]);
  assert.equal(m?.getSegment('PID')?.getField(5)?.toString(), "O'BRIEN\\T\\SONS^JOHN");
  assert.match(m?.getSegment('NTE')?.getField(3)?.toString() ?? '', /Knee \\F\\ hip \\S\\ wash\\X0D\\OBX\\F\\2/);
});

test('a 3 MB PDF crosses many TCP chunks and is acknowledged', async (t) => {
  let received = Buffer.alloc(0);
  const peer = await startRawPeer(t, (text, socket) => {
    received = Buffer.from(text, 'latin1');
    const id = controlIdOf(text);
    socket.write(frame(`MSH|^~\\&|EDMS|RX1|CC|CLINIC|20240501120000||ACK|A1|P|2.5\rMSA|AA|${id}\r`));
  });
  const s = store(t, config(peer.port));
  const bytes = pdf(3 * 1024 * 1024);
  assert.equal((await call(s, params(bytes), 20_000)).stored, true);
  const obx = received
    .toString('latin1')
    .split('\r')
    .find((line) => line.startsWith('OBX'));
  assert.ok(Buffer.from(obx?.split('|')[5]?.split('^')[4] ?? '', 'base64').equals(bytes));
});

test('a late ACK is source_timeout; a peer closing mid-message is source_unavailable; neither is retried', async (t) => {
  let mode: 'late' | 'close' = 'late';
  const peer = await startRawPeer(t, (text, socket) => {
    const ackText = `MSH|^~\\&|EDMS|RX1|CC|CLINIC|20240501120000||ACK|A1|P|2.5\rMSA|AA|${controlIdOf(text)}\r`;
    if (mode === 'late') setTimeout(() => socket.write(frame(ackText)), 300).unref();
    else socket.end(frame(ackText).subarray(0, 20));
  });
  const s = store(t, config(peer.port), tempDir(t));
  const p = params();
  const controller = new AbortController();
  setTimeout(() => controller.abort(new RpcError('source_timeout')), 100).unref();
  const late = await failure(storeConsent(s, p, { signal: controller.signal }));
  assert.equal(late.reason, 'source_timeout');
  mode = 'close';
  await sleep(350);
  const closed = await failure(call(s, p));
  assert.equal(closed.reason, 'source_unavailable');
  assert.match(closed.message, /closed the connection/);
  // Two attempts, two messages: a document is never re-sent behind the caller's back.
  assert.equal(peer.sockets.length, 2);
});

test('an unreachable receiver is source_unavailable; ping says false', async (t) => {
  const peer = await startRawPeer(t, () => {});
  const port = peer.port;
  const s = store(t, config(port));
  assert.equal(await s.ping({ signal: AbortSignal.timeout(2_000) }), true);
  const closed = store(t, config(await unusedPort()));
  assert.equal((await failure(call(closed, params()))).reason, 'source_unavailable');
  assert.equal(await closed.ping({ signal: AbortSignal.timeout(2_000) }), false);
});

test('a record that cannot be saved does not turn a filed document into an error', async (t) => {
  const peer = await startMedplumPeer(t, ack('AA'));
  // The data folder path is a file: the record cannot be written.
  const blocked = path.join(tempDir(t), 'not-a-folder');
  writeFileSync(blocked, '');
  const logger = captureLogger();
  const s = new Hl7ConsentStore(config(peer.port), { configDir: process.cwd(), dataDir: blocked, logger });
  t.after(() => s.close());
  const p = params();
  assert.equal((await call(s, p)).duplicate, false);
  assert.equal((await call(s, p)).duplicate, true);
  assert.equal(peer.received.length, 1);
  assert.match(logger.lines.join('\n'), /could not read the record/);
  assert.match(logger.lines.join('\n'), /could not save the record/);
  for (const line of logger.lines) for (const value of [...PERSONAL, p.documentId]) assert.ok(!line.includes(value));
});
