// HL7 text handling on its own: escapes, charsets by MSH-18, parsing by position, redaction.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMessage, encodeText } from '../../../src/main/integrations/hl7/hl7-charset.js';
import { escapeHl7, unescapeHl7 } from '../../../src/main/integrations/hl7/hl7-escape.js';
import { buildSegment, Hl7Message, Hl7ParseError } from '../../../src/main/integrations/hl7/hl7-message.js';
import { isoToDtm } from '../../../src/main/integrations/hl7/mdm-message.js';
import { hl7Date } from '../../../src/main/integrations/hl7/pdq-answer.js';
import { assertNoPersonalData } from './pdq-fixtures.js';

test('escaping round-trips every delimiter and control character', () => {
  const value = 'a|b^c~d\\e&f\rg\nh\x0bi\x1cj';
  const escaped = escapeHl7(value);
  assert.equal(escaped, 'a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f\\X0D\\g\\X0A\\h\\X0B\\i\\X1C\\j');
  assert.doesNotMatch(escaped, /[|^~&\r\n\x0b\x1c]/);
  assert.equal(unescapeHl7(escaped), value);
});

test('unescaping: hex, line breaks, formatting dropped, unterminated kept', () => {
  assert.equal(unescapeHl7('caf\\XC3A9\\'), 'café');
  assert.equal(unescapeHl7('caf\\XE9\\'), 'café');
  assert.equal(unescapeHl7('line\\.br\\two'), 'line\ntwo');
  assert.equal(unescapeHl7('\\H\\bold\\N\\'), 'bold');
  assert.equal(unescapeHl7('tail\\S'), 'tail\\S');
});

test('custom delimiters from MSH-2 are honoured', () => {
  // field #, component *, repetition $, escape !, subcomponent @
  const m = Hl7Message.parse('MSH#*$!@#A\rPID#1##ID1*X*Y*AUTH@1.2.3*MR$ID2*X*Y*NHS*NH##SMITH!T!JONES*ANN');
  const pid = m.segment('PID');
  assert.equal(pid?.get(3, 4, 2), '1.2.3');
  assert.equal(pid?.get(3, 4, 1, 2), 'NHS');
  assert.equal(pid?.get(5, 1), 'SMITH@JONES');
  assert.equal(pid?.get(5, 2), 'ANN');
  assert.equal(m.segment('MSH')?.raw(1), '#');
  assert.equal(m.segment('MSH')?.raw(3), 'A');
});

test('parsing rejects what is not an HL7 message', () => {
  assert.throws(() => Hl7Message.parse('HTTP/1.1 200 OK'), Hl7ParseError);
  assert.throws(() => Hl7Message.parse('MSH|^~\\&|A\rnot a segment'), Hl7ParseError);
  assert.throws(() => Hl7Message.parse('MSH|^^\\&|A'), Hl7ParseError);
});

test('segments are built with trailing empty components trimmed and values escaped', () => {
  assert.equal(
    buildSegment('PID', ['1', '', [['A', 'B&C'], 'x', ''], { repeat: ['a|b', ['c', '']] }]),
    'PID|1||A&B\\T\\C^x|a\\F\\b~c',
  );
});

test('charsets: Latin-1 and windows-1252 by MSH-18 or by the configured fallback', () => {
  const latin = Buffer.from('MSH|^~\\&|A|||||||||||||||8859/1\rPID|1||X||BRONTË', 'latin1');
  assert.match(decodeMessage(latin, 'UTF-8'), /BRONTË$/);
  const cp1252 = Buffer.concat([Buffer.from('MSH|^~\\&|A\rPID|1||X||O'), Buffer.of(0x92), Buffer.from('BRIEN')]);
  assert.match(decodeMessage(cp1252, 'windows-1252'), /O’BRIEN$/);
  const utf8 = Buffer.from('MSH|^~\\&|A|||||||||||||||UNICODE UTF-8\rPID|1||X||ZOË', 'utf8');
  assert.match(decodeMessage(utf8, 'ISO-8859-1'), /ZOË$/);
  assert.deepEqual([...encodeText('Ë’Łő', 'windows-1252')], [0xcb, 0x92, 0x3f, 0x6f]);
  assert.deepEqual([...encodeText('Ë’', 'ISO-8859-1')], [0xcb, 0x3f]);
});

test('dates: HL7 DTM to ISO date, ISO date-time to DTM keeping the offset', () => {
  assert.equal(hl7Date('19851231120000+0100'), '1985-12-31');
  assert.equal(hl7Date('1970'), '1970');
  assert.equal(isoToDtm('2024-05-01T10:15:00+01:00'), '20240501101500+0100');
  assert.equal(isoToDtm('2024-05-01T10:15:30.123Z'), '20240501101530+0000');
});

test('the personal-data scan used by these tests does catch a leak', () => {
  assert.throws(() => assertNoPersonalData('lookup failed for SMITH'));
  assert.throws(() => assertNoPersonalData('id 9434765919 refused'));
  assert.doesNotThrow(() => assertNoPersonalData('The data source did not answer in time.'));
});
