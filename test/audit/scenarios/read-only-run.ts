// Runs a real hub and a real connector whose audit log path cannot be written, makes lookups,
// and prints one JSON line with what happened. Started by disk-failure.test.ts as a separate
// process, under an unprivileged user when the tests run as root (root ignores file modes).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { loadConfigFile } from '../../../src/main/config/load-config.js';
import { demoDirectory } from '../../../src/main/integrations/demo/demo-directory.js';
import { createRuntime } from '../../../src/main/runtime.js';
import { captureLogger } from '../../helpers/capture-logger.js';
import { FAST_TIMERS, waitForState } from '../../helpers/connector-fixture.js';
import { startTestHub } from '../../helpers/hub-fixture.js';
import { tempDir } from '../../helpers/temp-dir.js';

const auditPath = process.argv[2] as string;
const calls = Number(process.argv[3] ?? 20);
const cleanups: Array<() => unknown> = [];
const t = { after: (fn: () => unknown) => cleanups.push(fn) } as unknown as TestContext;

try {
  const fx = await startTestHub(t);
  const token = fx.mint('demo');
  const dir = tempDir(t);
  const file = path.join(dir, 'connector.json');
  writeFileSync(
    file,
    JSON.stringify({
      environment: 'demo',
      platformUrl: fx.hub.wsUrl,
      patientLookup: { type: 'demo' },
      audit: { path: auditPath },
      timers: FAST_TIMERS,
    }),
  );
  const logger = captureLogger();
  const runtime = createRuntime(loadConfigFile(file), token, logger, { audit: true });
  let events = 0;
  runtime.connector.on('call', () => events++);
  runtime.connector.on('connection', () => events++);
  runtime.connector.start();
  await waitForState(runtime.connector, 'connected');
  let answered = 0;
  for (let i = 0; i < calls; i++) {
    const patient = demoDirectory().at(i);
    const res = await fx.call('patient.lookup', { identificationNumber: patient.localIdentifier });
    if (res.status === 200 && res.body.result?.patient?.localIdentifier === patient.localIdentifier) answered++;
  }
  runtime.audit?.flush();
  const out = {
    answered,
    events,
    warnings: runtime.warnings(),
    status: runtime.audit?.status(),
    logLines: logger.lines.filter((l) => l.includes('audit')),
  };
  await runtime.shutdown();
  process.stdout.write(`${JSON.stringify(out)}\n`);
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
