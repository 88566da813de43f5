// patientLookup {"type":"hl7"} against a real MLLP PDQ supplier (@medplum/hl7), through the
// common lookup pipeline: found, not found, ambiguous, refused, encodings, escaping, reuse.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hl7PatientSource } from '../../../src/main/integrations/hl7/hl7-source.js';
import { type LookupPolicy, lookupPatient } from '../../../src/main/integrations/lookup-pipeline.js';
import { type Hl7LookupConfig, hl7LookupConfigSchema } from '../../../src/shared/config/hl7-sources.js';
import { type Patient, RpcError } from '../../../src/shared/protocol/index.js';
import { startMedplumPeer, unusedPort } from './hl7-peer.js';
import {
  assertNoPersonalData,
  DIRECTORY,
  DUPLICATE_A_PID,
  MERGED_PID,
  pdqSupplier,
  queryParams,
  rsp,
  SMITH_PID,
} from './pdq-fixtures.js';

const POLICY: LookupPolicy = { environment: 'production' };

function config(port: number, extra: Partial<Hl7LookupConfig> = {}): Hl7LookupConfig {
  return hl7LookupConfigSchema.parse({
    type: 'hl7',
    host: '127.0.0.1',
    port,
    sendingApplication: 'CLOUDCONNECTOR',
    sendingFacility: 'CLINIC',
    receivingApplication: 'PAS',
    receivingFacility: 'RX1',
    localAuthority: 'RX1',
    nationalAuthority: 'NHS',
    ...extra,
  });
}

function source(t: { after(fn: () => unknown): void }, cfg: Hl7LookupConfig): Hl7PatientSource {
  const s = new Hl7PatientSource(cfg, process.cwd());
  t.after(() => s.close());
  return s;
}

function lookup(s: Hl7PatientSource, id: string, timeoutMs = 5_000) {
  return lookupPatient(s, id, POLICY, { signal: AbortSignal.timeout(timeoutMs) });
}

/** Runs a lookup expected to fail; returns the RpcError after checking it names no personal value. */
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

const SMITH: Patient = {
  title: 'MR',
  firstName: 'JOHN',
  middleNames: 'PAUL',
  familyName: 'SMITH',
  dateOfBirth: '1970-01-01',
  gender: 'male',
  localIdentifier: 'RX12345',
  nationalIdentifier: '9434765919',
  email: 'john.smith@example.com',
  mobile: '07700900123',
};

test('a hospital number finds the patient; the query is a PDQ QBP^Q22 with authority and type', async (t) => {
  const peer = await startMedplumPeer(t, pdqSupplier());
  const s = source(t, config(peer.port));
  // Lookups arrive downcased; the supplier matches case-sensitively, so the upper-case retry finds it.
  const result = await lookup(s, ' rx12345 ');
  assert.deepEqual(result, { patient: SMITH });
  const query = peer.received.at(-1);
  assert.ok(query);
  const msh = query.getSegment('MSH');
  assert.equal(msh?.getField(9)?.toString(), 'QBP^Q22^QBP_Q21');
  assert.equal(msh?.getField(3)?.toString(), 'CLOUDCONNECTOR');
  assert.equal(msh?.getField(5)?.toString(), 'PAS');
  assert.equal(msh?.getField(18)?.toString(), 'UNICODE UTF-8');
  assert.equal(query.getSegment('QPD')?.getField(1)?.toString(), 'IHE PDQ Query^IHE PDQ Query^IHE-ITI');
  assert.equal(query.getSegment('QPD')?.getField(2)?.toString(), msh?.getField(10)?.toString());
  assert.deepEqual(queryParams(query), { value: 'RX12345', authority: 'RX1', type: 'MR' });
  assert.equal(query.getSegment('RCP')?.getField(1)?.toString(), 'I');
  // Two queries (as sent, then upper case), each with its own control ID.
  assert.equal(peer.received.length, 2);
  assert.notEqual(
    peer.received[0]?.getSegment('MSH')?.getField(10)?.toString(),
    peer.received[1]?.getSegment('MSH')?.getField(10)?.toString(),
  );
});

test('an NHS number is asked for under the national authority and type NH', async (t) => {
  const peer = await startMedplumPeer(t, pdqSupplier());
  const s = source(t, config(peer.port));
  const result = await lookup(s, '943 476 5919'.replace(/ /g, ''));
  assert.deepEqual(result, { patient: SMITH });
  const asked = peer.received.map(queryParams);
  assert.deepEqual(asked[0], { value: '9434765919', authority: 'NHS', type: 'NH' });
  // It is also tried as a local number (a 10-digit hospital number could collide); that finds nothing.
  assert.deepEqual(asked[1], { value: '9434765919', authority: 'RX1', type: 'MR' });
});

test('match: ["local"] never asks for a national number', async (t) => {
  const peer = await startMedplumPeer(t, pdqSupplier());
  const s = source(t, config(peer.port, { match: ['local'] }));
  assert.deepEqual(await lookup(s, '9434765919'), { patient: null });
  assert.deepEqual(
    peer.received.map((q) => queryParams(q).type),
    ['MR'],
  );
});

test('not found (QAK NF) answers patient: null', async (t) => {
  const peer = await startMedplumPeer(t, pdqSupplier());
  const s = source(t, config(peer.port));
  assert.deepEqual(await lookup(s, 'rx99999'), { patient: null });
  assert.equal(peer.received.length, 2);
});

test('several distinct patients for one identifier is ambiguous_match', async (t) => {
  const peer = await startMedplumPeer(t, pdqSupplier());
  const s = source(t, config(peer.port));
  // Two registrations share this NHS number.
  const error = await failure(lookup(s, '9434766052'));
  assert.equal(error.reason, 'ambiguous_match');
});

test('the same record sent twice counts once; a second version of it is ambiguous', async (t) => {
  let second = DUPLICATE_A_PID;
  const peer = await startMedplumPeer(t, (q) =>
    queryParams(q).value === 'RX30001' ? rsp(q, [DUPLICATE_A_PID, second]) : rsp(q, []),
  );
  const s = source(t, config(peer.port));
  const found = await lookup(s, 'RX30001');
  assert.equal(found.patient?.localIdentifier, 'RX30001');
  second = DUPLICATE_A_PID.replace('BROWN^ANN', 'BROWN^ANNA');
  assert.equal((await failure(lookup(s, 'RX30001'))).reason, 'ambiguous_match');
});

test('a merged record with two current hospital numbers is ambiguous; an expired old number is ignored', async (t) => {
  const peer = await startMedplumPeer(t, pdqSupplier());
  const s = source(t, config(peer.port));
  assert.equal((await failure(lookup(s, 'RX40002'))).reason, 'ambiguous_match');
  const result = await lookup(s, 'RX50001');
  assert.equal(result.patient?.localIdentifier, 'RX50001');
  assert.equal(result.patient?.familyName, 'GREY');
});

test('more matches than sent (QAK hits remaining, DSC continuation) is ambiguous_match', async (t) => {
  const peer = await startMedplumPeer(t, (q) => {
    const v = queryParams(q).value;
    if (v === 'RX12345') return pdqSupplier([], { hitsRemaining: 3 })(q);
    if (v === 'RX22222') return pdqSupplier([], { extra: ['DSC|CONT-1|I'] })(q);
    return rsp(q, []);
  });
  const s = source(t, config(peer.port, { match: ['local'] }));
  assert.equal((await failure(lookup(s, 'RX12345'))).reason, 'ambiguous_match');
  assert.equal((await failure(lookup(s, 'RX22222'))).reason, 'ambiguous_match');
});

test('the same number in another assigning authority is not the local identifier', async (t) => {
  // A supplier that ignores authority and type: both RX22222 records come back.
  const peer = await startMedplumPeer(t, (q) =>
    rsp(
      q,
      DIRECTORY.filter((pid) => pid.includes(`|${queryParams(q).value}^`)),
    ),
  );
  const s = source(t, config(peer.port, { match: ['local'] }));
  const result = await lookup(s, 'RX22222');
  assert.equal(result.patient?.familyName, 'JONES');
  assert.equal(result.patient?.dateOfBirth, '1985-12-31');
  assert.equal(result.patient?.title, 'MRS');
  assert.equal(result.patient?.middleNames, null);
  assert.equal(result.patient?.mobile, '+447700900456');
  assert.equal(result.patient?.email, null);
});

test('a record that does not hold the queried identifier is never returned', async (t) => {
  // A supplier that answers every query with the same patient (a wildcard gone wrong).
  const peer = await startMedplumPeer(t, (q) => rsp(q, [SMITH_PID]));
  const s = source(t, config(peer.port));
  assert.deepEqual(await lookup(s, 'RX22222'), { patient: null });
});

test('someone else’s merged record in the answer does not make the lookup ambiguous', async (t) => {
  const peer = await startMedplumPeer(t, (q) => rsp(q, [MERGED_PID, SMITH_PID]));
  const s = source(t, config(peer.port, { match: ['local'] }));
  assert.equal((await lookup(s, 'RX12345')).patient?.familyName, 'SMITH');
});

test('AE and AR from the receiver are source_unavailable without any message content', async (t) => {
  const peer = await startMedplumPeer(t, (q) => {
    const v = queryParams(q).value.toUpperCase();
    if (v === 'RX12345')
      return rsp(q, [], { ack: 'AE', status: 'AE', extra: ['ERR|||207^Application internal error^HL70357|E'] });
    return rsp(q, [], { status: 'AR' });
  });
  const s = source(t, config(peer.port, { match: ['local'] }));
  const ae = await failure(lookup(s, 'RX12345'));
  assert.equal(ae.reason, 'source_unavailable');
  assert.match(ae.message, /refused the patient query \(AE\)/);
  const ar = await failure(lookup(s, 'RX22222'));
  assert.equal(ar.reason, 'source_unavailable');
  assert.match(ar.message, /\(AR\)/);
});

test('records failing the result schema are invalid_source_record naming the field only', async (t) => {
  const peer = await startMedplumPeer(t, pdqSupplier());
  const s = source(t, config(peer.port));
  const badNhs = await failure(lookup(s, 'RX60001'));
  assert.equal(badNhs.reason, 'invalid_source_record');
  assert.match(badNhs.message, /nationalIdentifier/);
  const partial = await failure(lookup(s, 'RX70001'));
  assert.equal(partial.reason, 'invalid_source_record');
  assert.match(partial.message, /dateOfBirth/);
});

test('escape sequences are decoded in answers and applied to the query', async (t) => {
  const peer = await startMedplumPeer(t, pdqSupplier());
  const s = source(t, config(peer.port));
  const result = await lookup(s, 'RX80001');
  assert.equal(result.patient?.familyName, 'SMITH&JONES');
  assert.equal(result.patient?.firstName, 'ROSE^MARIE');
  // An identifier holding delimiters cannot add parameters, fields or segments to the query.
  await lookup(s, 'a|b^c~d&e\\f');
  const query = peer.received.at(-1);
  assert.deepEqual(query?.segments.map((seg) => seg.name).filter(Boolean), ['MSH', 'QPD', 'RCP']);
  assert.equal(queryParams(query as NonNullable<typeof query>).value, 'A\\F\\B\\S\\C\\R\\D\\T\\E\\E\\F');
});

test('a Latin-1 receiver: accents survive both ways, read by the answer’s MSH-18', async (t) => {
  const accented = 'PID|1||RX90001^^^RX1^MR||BRONTË-NÚÑEZ^ZOË^ANDRÉ^^MLLE||19940101|F';
  const peer = await startMedplumPeer(
    t,
    (q) => rsp(q, queryParams(q).value === 'RX90001' ? [accented] : [], { msh18: '8859/1' }),
    {
      encoding: 'latin1',
    },
  );
  // The connector is configured for UTF-8, but the answer says 8859/1: its own MSH-18 wins.
  const s = source(t, config(peer.port, { match: ['local'] }));
  const result = await lookup(s, 'RX90001');
  assert.equal(result.patient?.familyName, 'BRONTË-NÚÑEZ');
  assert.equal(result.patient?.firstName, 'ZOË');
  assert.equal(result.patient?.middleNames, 'ANDRÉ');
  assert.equal(result.patient?.title, 'MLLE');
});

test('windows-1252: curly apostrophes and Œ decode when configured and sent without MSH-18', async (t) => {
  const pid = 'PID|1||RX91001^^^RX1^MR||O’BRIEN^ŒDIPE||19950101|M';
  const peer = await startMedplumPeer(t, (q) => rsp(q, [pid], { msh18: '' }), { encoding: 'windows-1252' });
  const s = source(t, config(peer.port, { match: ['local'], encoding: 'windows-1252' }));
  const result = await lookup(s, 'RX91001');
  assert.equal(result.patient?.familyName, 'O’BRIEN');
  assert.equal(result.patient?.firstName, 'ŒDIPE');
  assert.equal(peer.received[0]?.getSegment('MSH')?.getField(18)?.toString(), '8859/1');
});

test('a configured gender code table maps local codes', async (t) => {
  const peer = await startMedplumPeer(t, (q) => rsp(q, [SMITH_PID.replace('|19700101|M|', '|19700101|9|')]));
  const s = source(t, config(peer.port, { match: ['local'], genderMap: { '9': 'unknown' } }));
  assert.equal((await lookup(s, 'RX12345')).patient?.gender, 'unknown');
});

test('connections are reused, and opened again after the receiver drops them', async (t) => {
  const peer = await startMedplumPeer(t, pdqSupplier());
  const s = source(t, config(peer.port, { match: ['local'] }));
  for (let i = 0; i < 3; i++) assert.equal((await lookup(s, 'RX12345')).patient?.familyName, 'SMITH');
  assert.equal(peer.connections(), 1);
  peer.dropConnections();
  assert.equal((await lookup(s, 'RX12345')).patient?.familyName, 'SMITH');
  assert.equal(peer.connections(), 2);
  // Concurrent lookups spread over at most maxConnections (default 2).
  const results = await Promise.all(Array.from({ length: 6 }, () => lookup(s, 'RX12345')));
  assert.ok(results.every((r) => r.patient?.localIdentifier === 'RX12345'));
  assert.ok(peer.connections() <= 3, `connections: ${peer.connections()}`);
  assert.equal(await s.ping({ signal: AbortSignal.timeout(2_000) }), true);
});

test('an unreachable receiver is source_unavailable well within the deadline', async (t) => {
  const s = source(t, config(await unusedPort()));
  const started = Date.now();
  const error = await failure(lookup(s, 'RX12345'));
  assert.equal(error.reason, 'source_unavailable');
  // Before the lookup's 5 s deadline is all this guards (after it the reason would be source_timeout).
  assert.ok(Date.now() - started < 5_000);
  assert.equal(await s.ping({ signal: AbortSignal.timeout(2_000) }), false);
});
