// The one-time move from the tray-hosted connector to the service: the token keeps working (now
// in a file only the service account can read), the connector keeps its id, and the audit log's
// hash chain runs unbroken across the move (`cloud-connector audit verify` passes).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openAuditDbForReading } from '../../src/main/audit/open-db.js';
import { verifyChain } from '../../src/main/audit/verify.js';
import { AppController } from '../../src/main/controller/app-controller.js';
import type { SecretStore } from '../../src/main/controller/secret-store.js';
import { demoDirectory } from '../../src/main/integrations/demo/demo-directory.js';
import { PosixFileProtection } from '../../src/main/service/data-folder.js';
import { moveToService } from '../../src/main/service/move-to-service.js';
import type { Environment } from '../../src/shared/protocol/index.js';
import { startTestHub } from '../helpers/hub-fixture.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { demoSetup, startService, waitForDemo } from './service-fixture.js';

/** Stands in for the app's safeStorage store: token.enc and secrets/<name>.enc, clearly not plain text. */
class UserTokenStore implements SecretStore {
  readonly description = 'this user account only';
  constructor(private readonly dir: string) {}
  private file(env: Environment, name?: string) {
    return name ? path.join(this.dir, env, 'secrets', `${name}.enc`) : path.join(this.dir, env, 'token.enc');
  }
  private get(file: string) {
    try {
      return Buffer.from(readFileSync(file, 'utf8').slice(4), 'base64').toString();
    } catch {
      return null;
    }
  }
  private put(file: string, value: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, `enc:${Buffer.from(value).toString('base64')}`);
    renameSync(`${file}.tmp`, file);
  }
  async read(env: Environment) {
    return this.get(this.file(env));
  }
  async write(env: Environment, token: string) {
    this.put(this.file(env), token);
  }
  async readNamed(env: Environment, name: string) {
    return this.get(this.file(env, name));
  }
  async writeNamed(env: Environment, name: string, value: string) {
    this.put(this.file(env, name), value);
  }
}

// A password typed in the wizard for the document store: it must move too, re-protected.
const STORE_PASSWORD = 'Edms-Pa55-for-the-move';
const withStorePassword = {
  consentStore: { type: 'http', url: 'http://127.0.0.1:9/consents', auth: { type: 'basic', username: 'connector' } },
  secrets: { 'consentStore.auth.password': STORE_PASSWORD },
};

const auditFile = (base: string) => path.join(base, 'demo', 'data', 'demo', 'audit.sqlite');

function chain(file: string) {
  const db = openAuditDbForReading(file);
  try {
    return verifyChain(db);
  } finally {
    db.close();
  }
}

test(
  'moving from tray-hosted to the service keeps the token working and the audit chain intact',
  { timeout: 120_000 },
  async (t) => {
    const fx = await startTestHub(t);
    const dir = tempDir(t, 'cc-move-');
    const userBase = path.join(dir, 'app');
    const dataDir = path.join(dir, 'service-data');
    const userStore = new UserTokenStore(userBase);
    const token = fx.mint('demo');

    // Tray-hosted, as a per-user install runs it today: set up, connected, some calls audited.
    const tray = await AppController.create({
      baseDir: userBase,
      secrets: userStore,
      platformUrls: { demo: fx.hub.wsUrl, production: fx.hub.wsUrl },
      logsDir: path.join(dir, 'logs'),
    });
    const saved = await tray.handlers['setup.save'](demoSetup(fx, token, withStorePassword));
    assert.equal(saved.ok, true, saved.message);
    await waitForDemo(tray, 'connected');
    for (const i of [30, 31, 32]) {
      const patient = demoDirectory().at(i);
      assert.equal((await fx.call('patient.lookup', { identificationNumber: patient.localIdentifier })).status, 200);
    }
    const connectorIdBefore = readFileSync(path.join(userBase, 'demo', 'data', 'demo', 'connector-id'), 'utf8');
    await tray.close();
    const before = chain(auditFile(userBase));
    assert.ok(before.ok && before.rows >= 4, `calls and connection events were audited (${before.rows} rows)`);

    const result = await moveToService({
      from: { baseDir: userBase, secrets: userStore },
      to: { dataDir, protection: new PosixFileProtection() },
    });
    assert.deepEqual(result.moved, [{ environment: 'demo', audit: { rows: before.rows, headHash: before.headHash } }]);
    assert.match(
      result.message,
      /^Demo now runs in the Cloud Connector service, which keeps working when nobody is signed in\./,
    );

    // The app's copy is set aside without its token, so the app never hosts Demo again.
    assert.equal(existsSync(path.join(userBase, 'demo')), false);
    const setAside = readdirSync(userBase).find((n) => n.startsWith('demo.moved-to-service-')) as string;
    assert.ok(setAside, 'the old set-up is kept for reference');
    assert.equal(existsSync(path.join(userBase, setAside, 'token.enc')), false, 'but not its token');
    const trayAgain = await AppController.create({
      baseDir: userBase,
      secrets: userStore,
      platformUrls: { demo: fx.hub.wsUrl, production: fx.hub.wsUrl },
      logsDir: path.join(dir, 'logs'),
    });
    assert.equal(trayAgain.status().environments.find((e) => e.environment === 'demo')?.state, 'not_set_up');
    await trayAgain.close();

    // Re-protected for the service account; the same connector id.
    const tokenFile = path.join(dataDir, 'demo', 'token');
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    assert.equal(readFileSync(tokenFile, 'utf8').trim(), token);
    assert.equal(readFileSync(path.join(dataDir, 'demo', 'data', 'demo', 'connector-id'), 'utf8'), connectorIdBefore);
    const secretFile = path.join(dataDir, 'demo', 'secrets', 'consentStore.auth.password');
    assert.equal(readFileSync(secretFile, 'utf8').trim(), STORE_PASSWORD, 'the wizard secret moved');
    assert.equal(statSync(secretFile).mode & 0o777, 0o600);
    assert.equal(existsSync(path.join(userBase, setAside, 'secrets')), false, 'and left no copy behind');

    // The service picks it up: connected with the moved token, lookups answered.
    const svc = await startService(t, { fx, dataDir });
    const viewer = await svc.attach('viewer');
    await waitForDemo(viewer, 'connected');
    const patient = demoDirectory().at(33);
    const res = await fx.call('patient.lookup', { identificationNumber: patient.localIdentifier });
    assert.equal(res.status, 200);
    await viewer.close();
    await svc.handle.stop(45_000);

    const verify = await runCli(['audit', 'verify', '--db', auditFile(dataDir)]);
    assert.equal(verify.code, 0, verify.stderr);
    const rows = Number(/intact, (\d+) rows/.exec(verify.stdout)?.[1]);
    assert.ok(rows > before.rows, `the chain goes on from the moved rows (${before.rows} → ${rows})`);
    assert.ok(verify.stdout.includes(before.firstTime as string), 'and still starts at the first tray-hosted row');

    // A second move never overwrites the service's set-up.
    const store2 = new UserTokenStore(path.join(dir, 'app2'));
    const tray2 = await AppController.create({
      baseDir: path.join(dir, 'app2'),
      secrets: store2,
      platformUrls: { demo: fx.hub.wsUrl, production: fx.hub.wsUrl },
      logsDir: path.join(dir, 'logs2'),
    });
    assert.equal((await tray2.handlers['setup.save'](demoSetup(fx, fx.mint('demo')))).ok, true);
    await tray2.close();
    const again = await moveToService({
      from: { baseDir: path.join(dir, 'app2'), secrets: store2 },
      to: { dataDir, protection: new PosixFileProtection() },
    });
    assert.deepEqual(again.moved, []);
    assert.equal(again.message, 'The service already has a set-up for Demo; it was left as it is.');
    assert.equal(readFileSync(tokenFile, 'utf8').trim(), token, 'the service keeps its own token');
  },
);
