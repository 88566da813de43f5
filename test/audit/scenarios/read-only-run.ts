// A real connector whose audit log path cannot be written: it connects to the test's hub, makes
// lookups through it, and prints one JSON line with what happened. Started by disk-failure.test.ts
// as a separate process. Root ignores file modes, so when started as root it gives up its
// privileges (after loading its code and native addons, so the checkout need not be readable by
// anyone else), as a service running under its own account would be.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfigFile } from '../../../src/main/config/load-config.js';
import { demoDirectory } from '../../../src/main/integrations/demo/demo-directory.js';
import { createRuntime } from '../../../src/main/runtime.js';
import { captureLogger } from '../../helpers/capture-logger.js';
import { FAST_TIMERS, waitForState } from '../../helpers/connector-fixture.js';
import { dropPrivileges } from '../../helpers/drop-privileges.js';
import { callHub } from '../../helpers/hub-fixture.js';

const [auditPath, dataDir, wsUrl, httpUrl, count] = process.argv.slice(2) as [string, string, string, string, string];
const token = process.env.SCENARIO_TOKEN as string;
const file = path.join(dataDir, 'connector.json');
writeFileSync(
  file,
  JSON.stringify({
    environment: 'demo',
    platformUrl: wsUrl,
    dataDir,
    patientLookup: { type: 'demo' },
    audit: { path: auditPath },
    timers: FAST_TIMERS,
  }),
);
const loaded = loadConfigFile(file);
const directory = demoDirectory();
dropPrivileges();
const logger = captureLogger();
const runtime = createRuntime(loaded, token, logger, { audit: true });
let events = 0;
runtime.connector.on('call', () => events++);
runtime.connector.on('connection', () => events++);
runtime.connector.start();
await waitForState(runtime.connector, 'connected');
let answered = 0;
for (let i = 0; i < Number(count); i++) {
  const patient = directory.at(i);
  const res = await callHub(httpUrl, 'patient.lookup', { identificationNumber: patient.localIdentifier });
  if (res.status === 200 && res.body.result?.patient?.localIdentifier === patient.localIdentifier) answered++;
}
runtime.audit?.flush();
const out = {
  uid: process.getuid?.(),
  answered,
  events,
  warnings: runtime.warnings(),
  status: runtime.audit?.status(),
  logLines: logger.lines.filter((l) => l.includes('audit')),
};
await runtime.shutdown();
process.stdout.write(`${JSON.stringify(out)}\n`);
