// The MLLP deframer on its own: frames found by scanning the stream, however TCP cuts it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frameMessage, MllpDeframer, MllpFrameTooLargeError } from '../../../src/main/integrations/hl7/mllp-framing.js';

const text = (frames: Buffer[]) => frames.map((f) => f.toString('latin1'));

test('a frame fed one byte at a time comes out once, whole', () => {
  const d = new MllpDeframer(1_000);
  const bytes = frameMessage(Buffer.from('MSH|^~\\&|A\rMSA|AA|1\r'));
  const out: Buffer[] = [];
  for (const b of bytes) {
    out.push(...d.push(Buffer.of(b)));
    if (out.length === 0) assert.equal(d.partial, true);
  }
  assert.deepEqual(text(out), ['MSH|^~\\&|A\rMSA|AA|1\r']);
  assert.equal(d.partial, false);
});

test('several frames in one chunk, with stray bytes between them', () => {
  const d = new MllpDeframer(1_000);
  const chunk = Buffer.concat([
    Buffer.from('\r\n'),
    frameMessage(Buffer.from('one')),
    Buffer.from('\n'),
    frameMessage(Buffer.from('two')),
    frameMessage(Buffer.from('thr')),
  ]);
  assert.deepEqual(text(d.push(chunk.subarray(0, chunk.length - 4))), ['one', 'two']);
  assert.deepEqual(text(d.push(chunk.subarray(chunk.length - 4))), ['thr']);
});

test('FS split from its CR across chunks ends the frame; FS without CR is content', () => {
  const d = new MllpDeframer(1_000);
  assert.deepEqual(d.push(Buffer.from('\x0bab\x1c')), []);
  assert.deepEqual(text(d.push(Buffer.from('\r'))), ['ab']);
  assert.deepEqual(d.push(Buffer.from('\x0bx\x1c')), []);
  assert.deepEqual(text(d.push(Buffer.from('y\x1c\r'))), ['x\x1cy']);
});

test('a VT inside a frame starts over: the cut-off frame is dropped', () => {
  const d = new MllpDeframer(1_000);
  assert.deepEqual(text(d.push(Buffer.from('\x0bhalf a fr\x0bwhole\x1c\r'))), ['whole']);
});

test('a frame over the limit throws, and the deframer starts clean afterwards', () => {
  const d = new MllpDeframer(10);
  d.push(Buffer.from('\x0b12345'));
  assert.throws(() => d.push(Buffer.from('678901')), MllpFrameTooLargeError);
  assert.equal(d.partial, false);
  assert.deepEqual(text(d.push(frameMessage(Buffer.from('ok')))), ['ok']);
});
