// The other forms, each filled from the keyboard and saved: the connector.json they write is
// compared with the one a person would write by hand. A prepared settings file is loaded (only its
// secret is asked for) and the set-up saved to a file again, which is scanned for secrets.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { labelled, nextThrough, toLookupStep, typeInto } from './form-steps.js';
import { startUi, type UiFixture } from './ui-fixture.js';

function written(ui: UiFixture): { text: string; json: Record<string, unknown> } {
  const text = readFileSync(path.join(ui.dir, 'app', 'demo', 'connector.json'), 'utf8');
  return { text, json: JSON.parse(text) };
}

async function start(ui: UiFixture): Promise<void> {
  await nextThrough(ui, 'Ready to start');
  await ui.page.getByRole('button', { name: 'Start' }).click();
  await ui.page.getByTestId('state').waitFor();
  await ui.page.getByRole('heading', { name: /Demo/ }).first().waitFor();
}

test(
  'a prepared FHIR settings file fills the form and asks only for the client secret; saving it to a file again writes no secret',
  { timeout: 90_000 },
  async (t) => {
    const ui = await startUi(t);
    const { page } = ui;
    const planted = 'Planted-Secret-In-File-31';
    const typed = 'Typed-Client-Secret-77';
    const prepared = {
      type: 'fhir',
      baseUrl: 'https://fhir.pas.example-trust.nhs.uk/R4',
      identifierSystems: {
        local: 'https://fhir.example-trust.nhs.uk/Id/hospital-number',
        national: 'https://fhir.nhs.uk/Id/nhs-number',
      },
      searchBy: 'value',
      auth: {
        type: 'oauth2',
        tokenUrl: 'https://auth.example-trust.nhs.uk/oauth2/token',
        clientId: 'cloud-connector',
        clientSecret: planted,
        scope: 'system/Patient.read',
      },
      connectTimeoutMs: 4000,
    };
    const file = path.join(ui.dir, 'pas-fhir.json');
    writeFileSync(file, JSON.stringify({ patientLookup: prepared }, null, 2));
    await toLookupStep(ui);

    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Load settings from a file…' }).press('Enter');
    await (await chooser).setFiles(file);
    await page.getByText('Loaded the settings from pas-fhir.json. Type the client secret').waitFor();
    assert.equal(await page.getByRole('radio', { name: /^FHIR server/ }).isChecked(), true);
    assert.equal(await labelled(page, 'Server address').inputValue(), prepared.baseUrl);
    assert.equal(await labelled(page, 'Sign-in').inputValue(), 'oauth2');
    assert.equal(await labelled(page, 'Client ID').inputValue(), 'cloud-connector');
    const secret = labelled(page, 'Client secret');
    assert.equal(await secret.getAttribute('aria-invalid'), 'true', 'the one thing left to type is marked');
    await page.locator('#patientLookup-auth-clientSecret-error').getByText('Type it here.').waitFor();
    assert.ok(!(await page.content()).includes(planted), 'a secret in a prepared file is dropped, never shown');
    await ui.screenshot('wizard-3-fhir');

    await typeInto(secret, typed);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save settings to a file…' }).click();
    const saved = await (await download).path();
    const exported = readFileSync(saved, 'utf8');
    for (const s of [typed, planted, 'stored']) assert.ok(!exported.includes(s), `the saved file holds no ${s}`);
    const { clientSecret: _dropped, ...authWithoutSecret } = prepared.auth;
    assert.deepEqual(JSON.parse(exported), { patientLookup: { ...prepared, auth: authWithoutSecret } });

    await nextThrough(ui, 'Consent documents');
    await start(ui);
    const { text, json } = written(ui);
    assert.ok(!text.includes(typed) && !text.includes(planted), 'connector.json holds no secret');
    assert.deepEqual(json.patientLookup, {
      ...prepared,
      auth: { ...authWithoutSecret, clientSecret: { stored: 'patientLookup.auth.clientSecret' } },
    });
  },
);

test(
  'a web API lookup typed in from the keyboard is tested against a real server with its access token',
  { timeout: 90_000 },
  async (t) => {
    const token = 'Api-Bearer-Token-5150';
    const server = http.createServer((req, res) => {
      if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
      if (req.url !== '/api/v2/patients/w100') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          patient: {
            mrn: 'W100',
            name: { given: ['Robin'], family: 'Marsh' },
            birthDate: '1981-07-04',
            sex: 'F',
            flags: { test: true },
          },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => server.close());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/patients/{id}`;
    const ui = await startUi(t);
    const { page } = ui;
    await toLookupStep(ui);
    await page.getByRole('radio', { name: /^Web API/ }).check();
    await typeInto(labelled(page, 'Address ({id} is where the patient’s number goes)'), url);
    await typeInto(labelled(page, 'Where the patient is in the answer (optional)'), '$.patient');
    const paths: Array<[string, string]> = [
      ['First name (path in the answer)', '$.name.given[0]'],
      ['Family name (path in the answer)', '$.name.family'],
      ['Date of birth (path in the answer)', '$.birthDate'],
      ['Gender (path in the answer)', '$.sex'],
      ['Hospital number (path in the answer)', '$.mrn'],
      ['Test patient flag (path in the answer) (optional)', '$.flags.test'],
    ];
    for (const [label, value] of paths) await typeInto(labelled(page, label), value);
    await labelled(page, 'Sign-in').focus();
    await labelled(page, 'Sign-in').selectOption('bearer');
    await typeInto(labelled(page, 'Access token'), token);
    await typeInto(page.getByLabel('Test patient’s number'), 'W100');
    await page.keyboard.press('Enter');
    await page.getByTestId('lookup-result').getByText('Found.').waitFor();
    await ui.screenshot('wizard-3-webapi');
    await nextThrough(ui, 'Consent documents');
    await start(ui);
    const { text, json } = written(ui);
    assert.ok(!text.includes(token));
    assert.deepEqual(json.patientLookup, {
      type: 'http',
      url,
      recordsPath: '$.patient',
      fields: {
        firstName: '$.name.given[0]',
        familyName: '$.name.family',
        dateOfBirth: '$.birthDate',
        gender: '$.sex',
        localIdentifier: '$.mrn',
        isTestPatient: '$.flags.test',
      },
      auth: { type: 'bearer', token: { stored: 'patientLookup.auth.token' } },
    });
  },
);

test(
  'HL7 patient lookup and web API document store forms write what a person would write by hand',
  { timeout: 90_000 },
  async (t) => {
    const ui = await startUi(t);
    const { page } = ui;
    await toLookupStep(ui);
    await page.getByRole('radio', { name: /^HL7 interface/ }).check();
    await typeInto(labelled(page, 'Interface engine address'), 'hl7.example-hospital.nhs.uk');
    await typeInto(labelled(page, 'Port'), '2575');
    await labelled(page, 'Encrypt the connection (MLLP over TLS)').press('Space');
    await typeInto(labelled(page, 'Receiving application (MSH-5)'), 'PAS');
    await typeInto(labelled(page, 'Receiving facility (MSH-6) (optional)'), 'EXAMPLE-TRUST');
    await typeInto(labelled(page, 'Hospital number authority'), 'EXAMPLE-TRUST');
    await labelled(page, 'Character set').selectOption('windows-1252');
    await ui.screenshot('wizard-3-hl7');
    await nextThrough(ui, 'Consent documents');
    await page.getByRole('radio', { name: /^Web API/ }).check();
    await typeInto(labelled(page, 'Address'), 'https://documents.example-hospital.local/api/consent');
    await labelled(page, 'How the PDF is sent').selectOption('multipart');
    await labelled(page, 'Sign-in').selectOption('basic');
    await typeInto(labelled(page, 'User name'), 'consent-writer');
    await typeInto(labelled(page, 'Password'), 'Store-Password-909');
    await ui.screenshot('wizard-4-webapi');
    await start(ui);
    const { text, json } = written(ui);
    assert.ok(!text.includes('Store-Password-909'));
    assert.deepEqual(json.patientLookup, {
      type: 'hl7',
      host: 'hl7.example-hospital.nhs.uk',
      port: 2575,
      tls: {},
      sendingApplication: 'CLOUD-CONNECTOR',
      receivingApplication: 'PAS',
      receivingFacility: 'EXAMPLE-TRUST',
      localAuthority: 'EXAMPLE-TRUST',
      encoding: 'windows-1252',
    });
    assert.deepEqual(json.consentStore, {
      type: 'http',
      url: 'https://documents.example-hospital.local/api/consent',
      format: 'multipart',
      auth: { type: 'basic', username: 'consent-writer', password: { stored: 'consentStore.auth.password' } },
    });
  },
);

test(
  'mistakes are named beside their fields in plain words, More settings included',
  { timeout: 90_000 },
  async (t) => {
    const ui = await startUi(t);
    const { page } = ui;
    await toLookupStep(ui);
    await nextThrough(ui, 'Consent documents');
    await page.getByRole('radio', { name: /^FHIR server/ }).check();
    await typeInto(labelled(page, 'Server address'), 'epr.example-hospital');
    await page.getByText('More settings (JSON)').click();
    await typeInto(
      labelled(page, 'More settings'),
      '{ "documentType": { "system": "http://loinc.org", "code": "59284-0" }, "colour": "blue" }',
    );
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('alert').getByText('Check the 3 settings marked with a cross.').waitFor();
    const error = (id: string) => page.locator(`#consentStore-${id}-error`).innerText();
    assert.match(await error('baseUrl'), /Type a full address, starting with https:\/\//);
    assert.match(await error('identifierSystems-local'), /Fill this in\./);
    assert.match(await error('extra'), /More settings: Not a setting of this kind: colour\./);
    assert.equal(
      await page.evaluate(() => document.activeElement?.id),
      'consentStore-baseUrl',
      'the keyboard is taken to the first mistake',
    );
    await ui.screenshot('wizard-4-errors');

    await typeInto(labelled(page, 'Server address'), 'https://epr.example-hospital.nhs.uk/fhir/R4');
    await typeInto(labelled(page, 'Hospital number system'), 'https://fhir.example-hospital.nhs.uk/Id/hospital-number');
    await typeInto(
      labelled(page, 'More settings'),
      '{ "documentType": { "system": "http://loinc.org", "code": "59284-0" ',
    );
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('#consentStore-extra-error').getByText('This is not valid JSON.').waitFor();
    await typeInto(
      labelled(page, 'More settings'),
      '{ "documentType": { "system": "http://loinc.org", "code": "59284-0" } }',
    );
    await start(ui);
    assert.deepEqual(written(ui).json.consentStore, {
      type: 'fhir',
      baseUrl: 'https://epr.example-hospital.nhs.uk/fhir/R4',
      identifierSystems: { local: 'https://fhir.example-hospital.nhs.uk/Id/hospital-number' },
      documentType: { system: 'http://loinc.org', code: '59284-0' },
    });
  },
);

test(
  'where the host has pickers (the app), Browse… fills the folder and the certificate file',
  { timeout: 60_000 },
  async (t) => {
    const asked: string[] = [];
    const ui = await startUi(t, {
      pickPath: async (kind) => {
        asked.push(kind);
        return kind === 'folder' ? 'D:\\Consents' : 'C:\\Certificates\\trust-root-ca.pem';
      },
    });
    const { page } = ui;
    await toLookupStep(ui);
    await page.getByRole('radio', { name: /^FHIR server/ }).check();
    await page.getByRole('button', { name: 'Browse…' }).press('Enter');
    await page.waitForFunction(() =>
      (document.getElementById('patientLookup-caFile') as HTMLInputElement | null)?.value.endsWith('.pem'),
    );
    await page.getByRole('radio', { name: /^None/ }).check();
    await nextThrough(ui, 'Consent documents');
    await page.getByRole('radio', { name: /Folder or network share/ }).check();
    await page.getByRole('button', { name: 'Browse…' }).click();
    await page.waitForFunction(
      () => (document.getElementById('consentStore-path') as HTMLInputElement | null)?.value === 'D:\\Consents',
    );
    assert.deepEqual(asked, ['certificate', 'folder']);
  },
);
