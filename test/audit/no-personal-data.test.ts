// End to end through the reference hub: lookups and consent filings with known synthetic
// identifiers, names and dates of birth, including calls that fail in every way we can provoke,
// then a byte-level scan of the audit database and every process-log file for any of them and
// for the tokens. Nothing may be found.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { attachAudit } from '../../src/main/audit/attach.js';
import { AuditWriter } from '../../src/main/audit/audit-writer.js';
import type { CallEvent } from '../../src/main/audit/entries.js';
import { createAuditWriterFor } from '../../src/main/audit/from-config.js';
import { openAuditDbForReading } from '../../src/main/audit/open-db.js';
import { stats } from '../../src/main/audit/queries.js';
import { verifyChain } from '../../src/main/audit/verify.js';
import { loadConfigFile } from '../../src/main/config/load-config.js';
import { Connector } from '../../src/main/core/connector.js';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { DemoSource } from '../../src/main/integrations/demo/demo-source.js';
import { buildHandlers } from '../../src/main/integrations/handlers.js';
import type { ConsentDocument, ConsentStore } from '../../src/main/integrations/types.js';
import { processLoggerFor } from '../../src/main/logging/from-config.js';
import { settingsFrom } from '../../src/main/runtime.js';
import { FAST_TIMERS, waitForState } from '../helpers/connector-fixture.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';
import { callEvent } from './fixtures.js';

const CLINICIAN = 'Dr Quentin Zebedee-Marchbanks';
const PDF = Buffer.from('%PDF-1.4\n% synthetic consent form\n%%EOF\n');

/** A folder store in the test, which fails loudly (with personal data in the error) when told to. */
class TestFolderStore implements ConsentStore {
  readonly type = 'test-folder';
  constructor(
    private readonly dir: string,
    private readonly explodeFor: string,
  ) {}
  async store({ params, bytes }: ConsentDocument) {
    if (params.patient.localIdentifier === this.explodeFor) {
      throw new Error(
        `disk quota for ${params.patient.firstName} ${params.patient.familyName} (${params.patient.dateOfBirth})`,
      );
    }
    const file = path.join(this.dir, `${params.documentId}.pdf`);
    writeFileSync(file, bytes);
    return { stored: true as const, location: file, duplicate: false };
  }
  async ping() {
    return true;
  }
  async close() {}
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

test('no identifier, name, date of birth or token reaches the audit log or the process logs', async (t) => {
  const fx = await startTestHub(t);
  const token = fx.mint('demo');
  const dir = tempDir(t);
  const storeDir = path.join(dir, 'store');
  mkdirSync(storeDir);
  const configFile = path.join(dir, 'connector.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      environment: 'demo',
      platformUrl: fx.hub.wsUrl,
      patientLookup: { type: 'demo' },
      logs: { level: 'debug' },
      timers: FAST_TIMERS,
    }),
  );
  const loaded = loadConfigFile(configFile);
  const logger = processLoggerFor(loaded, { token });
  const audit = createAuditWriterFor(loaded, logger);
  t.after(() => audit.close());

  // Patients with names long enough that a match in the scan cannot be a coincidence.
  const people = Array.from({ length: 2_000 }, (_, i) => demoDirectory().at(i))
    .filter((p) => p.firstName.length >= 4 && p.familyName.length >= 4 && p.nationalIdentifier)
    .slice(0, 12);
  const exploding = people[11]?.localIdentifier ?? '';
  const connector = new Connector({
    settings: settingsFrom(loaded),
    token,
    logger,
    sources: { 'patient.lookup': 'up', 'consent.store': 'up' },
    handlers: buildHandlers({
      source: new DemoSource({ type: 'demo' }),
      store: new TestFolderStore(storeDir, exploding),
      policy: { environment: 'demo' },
      info: () => ({ version: '0', environment: 'demo', methods: [], uptimeS: 0, sources: {} }),
    }),
  });
  attachAudit(connector, audit);
  audit.recordConfigState(loaded.config);
  connector.start();
  t.after(() => connector.stop());
  await waitForState(connector, 'connected');

  const outcomes: string[] = [];
  const note = (r: { status: number; body: { error?: { reason: string } } }) =>
    outcomes.push(r.body.error ? r.body.error.reason : String(r.status));
  for (const p of people.slice(0, 8)) {
    note(await fx.call('patient.lookup', { identificationNumber: p.localIdentifier }));
    note(await fx.call('patient.lookup', { identificationNumber: p.nationalIdentifier }));
  }
  // Not found, and params that fail validation while carrying personal data.
  note(await fx.call('patient.lookup', { identificationNumber: 'zz-nobody-4711' }));
  const p0 = people[0] as (typeof people)[number];
  note(await fx.call('patient.lookup', { identificationNumber: `${p0.familyName} ${p0.dateOfBirth}`.repeat(4) }));
  note(await fx.call('patient.lookup', { identificationNumber: 42, name: p0.firstName }));

  const consent = (p: (typeof people)[number], data = PDF) => ({
    documentId: randomUUID(),
    episodeId: `ep-${p.localIdentifier}`,
    fileName: `consent-${p.familyName}.pdf`,
    contentType: 'application/pdf',
    dataBase64: data.toString('base64'),
    sha256: createHash('sha256').update(PDF).digest('hex'),
    patient: {
      localIdentifier: p.localIdentifier,
      nationalIdentifier: p.nationalIdentifier,
      familyName: p.familyName,
      firstName: p.firstName,
      dateOfBirth: p.dateOfBirth,
    },
    document: {
      title: `Consent for ${p.firstName} ${p.familyName}`,
      procedure: 'Arthroscopy',
      side: 'left',
      consentedAt: '2026-03-01T10:00:00Z',
      confirmedAt: null,
      responsibleClinician: CLINICIAN,
      episodeHash: 'e'.repeat(16),
    },
  });
  for (const p of people.slice(8, 11)) note(await fx.call('consent.store', consent(p)));
  note(await fx.call('consent.store', consent(people[11] as (typeof people)[number])));
  note(await fx.call('consent.store', consent(p0, Buffer.from('%PDF-tampered'))));

  // A second connector with a token the platform does not know: rejected, and logged as such.
  const badToken = `cc_demo_${randomUUID().replace(/-/g, '')}`;
  const rejected = new Connector({
    settings: settingsFrom(loaded),
    token: badToken,
    logger,
    handlers: {},
  });
  rejected.start();
  await waitForState(rejected, 'rejected');
  await rejected.stop();
  await connector.stop();
  audit.close();

  // The calls happened as intended, so the scan below is meaningful.
  assert.equal(outcomes.filter((o) => o === '200').length, 8 * 2 + 1 + 3);
  assert.ok(outcomes.includes('invalid_params'));
  assert.ok(outcomes.includes('internal_error'));
  assert.ok(outcomes.includes('integrity_error'));
  const db = openAuditDbForReading(path.join(loaded.dataDir, 'audit.sqlite'));
  t.after(() => db.close());
  assert.equal(verifyChain(db).ok, true);
  const s = stats(db, new Date(0));
  assert.equal(s.calls, outcomes.length);
  assert.deepEqual(s.errorsByReason.map((e) => `${e.reason} ${e.count}`).sort(), [
    'integrity_error 1',
    'internal_error 1',
    'invalid_params 2',
  ]);
  const logText = readFileSync(logger.file, 'utf8');
  assert.match(logText, /state connected/);
  assert.match(logText, /token rejected/);
  assert.match(logText, /call failed unexpectedly/);

  const needles = new Set<string>([token, badToken, token.slice(8), badToken.slice(8), CLINICIAN, 'zz-nobody-4711']);
  for (const p of people) {
    for (const value of [p.localIdentifier, p.nationalIdentifier, p.firstName, p.familyName, p.dateOfBirth]) {
      if (!value) continue;
      needles.add(value);
      needles.add(value.toUpperCase());
      needles.add(value.toLowerCase());
    }
    needles.add((p.nationalIdentifier ?? '').replace(/(\d{3})(\d{3})(\d{4})/, '$1 $2 $3'));
  }
  const files = filesUnder(loaded.dataDir);
  assert.ok(files.some((f) => f.endsWith('audit.sqlite')));
  assert.ok(files.some((f) => f.endsWith('.log')));
  for (const file of files) {
    const text = readFileSync(file).toString('latin1');
    for (const needle of needles) {
      assert.ok(!text.includes(needle), `${path.relative(dir, file)} contains a value it must never hold`);
    }
  }
});

test('an integer request id that is a valid NHS number is recorded as (withheld); without the key no free-form id is kept', (t) => {
  const file = path.join(tempDir(t), 'audit.sqlite');
  const writer = new AuditWriter({ path: file });
  t.after(() => writer.close());
  // 943 476 5919 is a valid NHS number (check digit 9); 943 476 5918 is not one.
  const ids: Array<string | number> = [9434765919, '9434765919', '943-476-5919', 9434765918, 'r-1'];
  for (const requestId of ids) writer.recordCall(callEvent(1, { requestId } as Partial<CallEvent>));
  writer.close();
  const db = openAuditDbForReading(file);
  t.after(() => db.close());
  const stored = (
    db.prepare("SELECT request_id FROM audit_log WHERE kind = 'call' ORDER BY seq").all() as Array<{
      request_id: string;
    }>
  ).map((r) => r.request_id);
  // Strings are hashed under the installation's key on their way in (attach.ts; see
  // test/hostile/connector-request-ids.test.ts); a writer given them raw keeps none of them.
  assert.deepEqual(stored, ['(withheld)', '(invalid)', '(invalid)', '9434765918', '(invalid)']);
  assert.ok(!JSON.stringify(db.prepare('SELECT * FROM audit_log').all()).includes('4765919'));
});
