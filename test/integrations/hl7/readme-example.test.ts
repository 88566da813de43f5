// The README's HL7 config example is a valid connector config, so a copy-paste works.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseConfig } from '../../../src/main/config/load-config.js';

test('the README section "HL7 v2 over MLLP" holds a complete, valid config example', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## HL7 v2 over MLLP'));
  assert.ok(section.length > 0 && readme.includes('## HL7 v2 over MLLP'));
  const start = section.indexOf('```json') + '```json'.length;
  const config = parseConfig(JSON.parse(section.slice(start, section.indexOf('```', start))));
  assert.equal(config.patientLookup?.type, 'hl7');
  assert.equal(config.consentStore?.type, 'hl7');
});
