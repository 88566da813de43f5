// FHIR forms against a real FHIR server (Medplum's router in-process) that wants a user name and
// password: the patient lookup finds the test patient, the document store files and reads back its
// test document, and connector.json is what a person would write by hand, the password kept apart.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import { startFhirServer } from '../integrations/helpers/fhir-server.js';
import { labelled, nextThrough, toLookupStep, typeInto } from './form-steps.js';
import { startUi } from './ui-fixture.js';

const LOCAL = 'https://fhir.example-hospital.nhs.uk/Id/hospital-number';
const PASSWORD = 'Fhir-Pass-61';

test(
  'FHIR lookup and FHIR document store, typed in with a user name and password, tested against a real FHIR server',
  { timeout: 120_000 },
  async (t) => {
    const server = await startFhirServer(t, {
      authorization: `Basic ${Buffer.from(`clinic:${PASSWORD}`).toString('base64')}`,
    });
    await server.create<Patient>({
      resourceType: 'Patient',
      meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HTEST' }] },
      identifier: [{ system: LOCAL, value: 'RX1001' }],
      name: [{ use: 'official', given: ['Alex'], family: 'Testperson' }],
      birthDate: '1980-02-03',
      gender: 'female',
    });
    const ui = await startUi(t);
    const { page } = ui;
    await toLookupStep(ui);
    const fill = async () => {
      await typeInto(labelled(page, 'Server address'), server.baseUrl);
      await typeInto(labelled(page, 'Hospital number system'), LOCAL);
      await labelled(page, 'Sign-in').selectOption('basic');
      await typeInto(labelled(page, 'User name'), 'clinic');
      await typeInto(labelled(page, 'Password'), PASSWORD);
    };
    await page.getByRole('radio', { name: /^FHIR server/ }).check();
    await fill();
    await typeInto(page.getByLabel('Test patient’s number'), 'rx1001');
    await page.getByRole('button', { name: 'Test lookup' }).click();
    await page.getByTestId('lookup-result').getByText('Found.').waitFor();
    assert.match(await page.getByTestId('lookup-result').innerText(), /Testperson/);

    await nextThrough(ui, 'Consent documents');
    await page.getByRole('radio', { name: /^FHIR server/ }).check();
    await fill();
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const stored = page.getByTestId('store-result');
    await stored.waitFor();
    assert.equal(await stored.locator('.shape--tick').count(), 1, await stored.innerText());
    await ui.screenshot('wizard-4-fhir');
    await nextThrough(ui, 'Ready to start');
    await page.getByRole('button', { name: 'Start' }).click();
    await page
      .getByTestId('state')
      .getByText(/Connected to Demo/)
      .waitFor();

    const text = readFileSync(path.join(ui.dir, 'app', 'demo', 'connector.json'), 'utf8');
    assert.ok(!text.includes(PASSWORD), 'the password is not in connector.json');
    const section = (name: string) => ({
      type: 'fhir',
      baseUrl: server.baseUrl,
      identifierSystems: {
        local: LOCAL,
        ...(name === 'patientLookup' ? { national: 'https://fhir.nhs.uk/Id/nhs-number' } : {}),
      },
      auth: { type: 'basic', username: 'clinic', password: { stored: `${name}.auth.password` } },
    });
    const written = JSON.parse(text);
    assert.deepEqual(written.patientLookup, section('patientLookup'));
    assert.deepEqual(written.consentStore, section('consentStore'));
    // The saved set-up answers the platform through the FHIR server with the stored password.
    const answer = await ui.fx.call('patient.lookup', { identificationNumber: 'rx1001' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.result.patient.familyName, 'Testperson');
  },
);
