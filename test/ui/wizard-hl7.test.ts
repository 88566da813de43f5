// The HL7 forms against real MLLP peers. The document-store form against a real MLLP receiver (@medplum/hl7's connection, an
// independent implementation): Test files the self-test document as an MDM message with the
// application and facility names typed, and the receiver's acknowledgement says it was filed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Hl7Message } from '@medplum/core';
import { startMedplumPeer } from '../integrations/hl7/hl7-peer.js';
import { pdqSupplier, queryParams } from '../integrations/hl7/pdq-fixtures.js';
import { labelled, nextThrough, toLookupStep, typeInto } from './form-steps.js';
import { startUi } from './ui-fixture.js';

test(
  'an HL7 document store typed in from the keyboard files its test document with a real MLLP receiver',
  { timeout: 90_000 },
  async (t) => {
    const peer = await startMedplumPeer(t, (m: Hl7Message) => m.buildAck({ ackCode: 'AA' }));
    const ui = await startUi(t);
    const { page } = ui;
    await toLookupStep(ui);
    await nextThrough(ui, 'Consent documents');
    await page.getByRole('radio', { name: /^HL7 interface/ }).check();
    await typeInto(labelled(page, 'Interface engine address'), '127.0.0.1');
    await typeInto(labelled(page, 'Port'), String(peer.port));
    await typeInto(labelled(page, 'Sending facility (MSH-4) (optional)'), 'CLINIC');
    await typeInto(labelled(page, 'Receiving application (MSH-5)'), 'EDMS');
    await typeInto(labelled(page, 'Receiving facility (MSH-6) (optional)'), 'RX1');
    await typeInto(labelled(page, 'Hospital number authority'), 'RX1');
    await typeInto(labelled(page, 'Document type (TXA-2) (optional)'), 'CONSENT');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const result = page.getByTestId('store-result');
    await result.waitFor();
    assert.equal(await result.locator('.shape--tick').count(), 1, await result.innerText());
    const msh = peer.received[0]?.getSegment('MSH');
    assert.deepEqual(
      [3, 4, 5, 6].map((n) => msh?.getField(n)?.toString()),
      ['CLOUD-CONNECTOR', 'CLINIC', 'EDMS', 'RX1'],
      'the names typed are the ones sent',
    );
    await ui.screenshot('wizard-4-hl7');
    await nextThrough(ui, 'Ready to start');
    await page.getByRole('button', { name: 'Start' }).click();
    await page
      .getByTestId('state')
      .getByText(/Connected to Demo/)
      .waitFor();
    const written = JSON.parse(readFileSync(path.join(ui.dir, 'app', 'demo', 'connector.json'), 'utf8'));
    assert.deepEqual(written.consentStore, {
      type: 'hl7',
      host: '127.0.0.1',
      port: peer.port,
      sendingApplication: 'CLOUD-CONNECTOR',
      sendingFacility: 'CLINIC',
      receivingApplication: 'EDMS',
      receivingFacility: 'RX1',
      localAuthority: 'RX1',
      documentType: 'CONSENT',
    });
  },
);

test(
  'an HL7 patient lookup typed in from the keyboard finds a patient through a real PDQ supplier',
  { timeout: 90_000 },
  async (t) => {
    const peer = await startMedplumPeer(t, pdqSupplier());
    const ui = await startUi(t);
    const { page } = ui;
    // Production: the supplier's made-up patients carry no test flag, which Demo would refuse.
    await page.goto(ui.bridge.url);
    await page.getByRole('radio', { name: /^Production/ }).check();
    await nextThrough(ui, 'Connection token');
    await page.getByLabel('Connection token', { exact: true }).fill(ui.fx.mint('production'));
    await nextThrough(ui, 'Patient lookup');
    await page.getByRole('radio', { name: /^HL7 interface/ }).check();
    await typeInto(labelled(page, 'Interface engine address'), '127.0.0.1');
    await typeInto(labelled(page, 'Port'), String(peer.port));
    await typeInto(labelled(page, 'Receiving application (MSH-5)'), 'PAS');
    await typeInto(labelled(page, 'Hospital number authority'), 'RX1');
    await typeInto(page.getByLabel('Test patient’s number'), 'rx12345');
    await page.keyboard.press('Enter');
    await page.getByTestId('lookup-result').getByText('Found.').waitFor();
    assert.match(await page.getByTestId('lookup-result').innerText(), /smith/i);
    assert.equal(queryParams(peer.received[0] as Hl7Message).authority, 'RX1', 'asked with the authority typed');
  },
);
