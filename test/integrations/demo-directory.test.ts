// The embedded demo source: a deterministic synthetic directory of test patients.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DemoDirectory, demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { isValidNhsNumber } from '../../src/shared/protocol/index.js';

test('10,000 test patients with unique, valid 999-range NHS numbers, found by either identifier', () => {
  const directory = demoDirectory();
  const nhsNumbers = new Set<string>();
  let upperCase = 0;
  let noMiddleName = 0;
  let noContact = 0;
  for (let i = 0; i < 10_000; i++) {
    const p = directory.at(i);
    const nhs = p.nationalIdentifier as string;
    assert.ok(isValidNhsNumber(nhs) && nhs.startsWith('999'), `patient ${i} has a valid test-range NHS number`);
    assert.ok(!nhsNumbers.has(nhs), `patient ${i}'s NHS number is unique`);
    nhsNumbers.add(nhs);
    assert.equal(p.isTestPatient, true);
    assert.deepEqual(directory.find(nhs), [p]);
    assert.deepEqual(directory.find(p.localIdentifier.toLowerCase()), [p]);
    if (p.familyName === p.familyName.toUpperCase()) upperCase++;
    if (p.middleNames === null) noMiddleName++;
    if (p.mobile === null && p.email === null) noContact++;
  }
  for (const [label, count] of [
    ['UPPER-CASE names', upperCase],
    ['no middle name', noMiddleName],
    ['no contact details', noContact],
  ] as const) {
    assert.ok(count > 500 && count < 9_500, `${label}: ${count}`);
  }
});

test('the same seed gives the same people every time; unknown identifiers find nobody', () => {
  assert.deepEqual(new DemoDirectory().at(1234), demoDirectory().at(1234));
  assert.deepEqual(demoDirectory().find('d110000'), [], 'one past the last hospital number');
  assert.deepEqual(demoDirectory().find('9990000000'), []);
  assert.deepEqual(demoDirectory().find('smith'), []);
  assert.throws(() => demoDirectory().at(10_000), RangeError);
});
