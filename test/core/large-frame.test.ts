// A large consent.store frame parsed with its base64 cut out of the buffer gives exactly what
// parsing the whole frame as text gives; anything it cannot be sure of is left to JSON.parse.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { parseLargeFrame } from '../../src/main/core/large-frame.js';

const base64 = randomBytes(1_500_000).toString('base64');

function frame(params: Record<string, unknown>, spacing?: number): Buffer {
  return Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'consent.store', params }, null, spacing));
}

test('a consent.store frame parses to the same message as the ordinary path', () => {
  const data = frame({ documentId: 'd', dataBase64: base64, patient: { familyName: 'Ó Súilleabháin' } });
  const parsed = parseLargeFrame(data);
  assert.ok(parsed, 'the frame was taken apart');
  assert.deepEqual(parsed, JSON.parse(data.toString()));
});

test('frames it cannot be sure of are left to the ordinary path', () => {
  // An escaped slash (as some JSON encoders write one) inside the value.
  const escaped = Buffer.from(
    frame({ dataBase64: base64 })
      .toString()
      .replace(base64, `ab\\/${base64.slice(4)}`),
  );
  assert.equal(parseLargeFrame(escaped), undefined);
  // The key somewhere else than directly under params.
  assert.equal(parseLargeFrame(frame({ document: { dataBase64: base64 } })), undefined);
  // Twice.
  assert.equal(parseLargeFrame(frame({ dataBase64: base64, other: { dataBase64: 'QQ==' } })), undefined);
  // With spaces around the colon: no match, parsed whole.
  assert.equal(parseLargeFrame(frame({ dataBase64: base64 }, 1)), undefined);
  // Not JSON once the value is cut out.
  assert.equal(parseLargeFrame(Buffer.from(`{"params":{"dataBase64":"${base64}"}`)), undefined);
});

test('bytes that are not base64 stay as they are, for the pipeline to refuse', () => {
  const data = frame({ dataBase64: 'AAAA' });
  const raw = Buffer.from(data.toString().replace('AAAA', 'AA\u00e9A'), 'latin1');
  const parsed = parseLargeFrame(raw) as { params: { dataBase64: string } };
  assert.equal(parsed.params.dataBase64, 'AA\u00e9A');
});

test('the cut-out value is used only where the ordinary parse puts it', () => {
  // The real `params.dataBase64` is written with an escape in its name (the fast path's key does
  // not match it) and is empty; the one the key matches sits deeper. JSON.parse gives an empty
  // document; the cut-out base64 must not take its place.
  const nested = Buffer.from(
    `{"jsonrpc":"2.0","id":7,"method":"consent.store","params":{"dataBase\\u0036\\u0034":"","x":{"dataBase64":"${base64}"}}}`,
  );
  const parsedNested = parseLargeFrame(nested);
  if (parsedNested) assert.deepEqual(parsedNested, JSON.parse(nested.toString()));
  // Two `params`: JSON.parse keeps the last; the cut-out value was in the first.
  const twice = Buffer.from(
    `{"jsonrpc":"2.0","id":7,"method":"consent.store","params":{"dataBase64":"${base64}"},"params":{"dataBase64" : ""}}`,
  );
  const parsedTwice = parseLargeFrame(twice);
  if (parsedTwice) assert.deepEqual(parsedTwice, JSON.parse(twice.toString()));
});

test('a large frame that is not a request (a notification) is left to the ordinary path', () => {
  const goaway = Buffer.from(
    JSON.stringify({ jsonrpc: '2.0', method: 'connector.goaway', params: { dataBase64: base64 } }),
  );
  assert.equal(parseLargeFrame(goaway), undefined);
});
