// `cloud-connector check --config FILE`: validates the config, reaches the platform with the token,
// and reports each data source's reachability in plain words. Exit 0 when all is well, else 1.

import { auditPathFor } from '../audit/from-config.js';
import { loadConfigFile } from '../config/load-config.js';
import { bareTokenFor, readToken } from '../config/token.js';
import { probePlatform } from '../core/probe.js';
import { testDocumentStore, testLookup } from '../integrations/self-test.js';
import { logDirFor } from '../logging/from-config.js';
import { createRuntime, settingsFrom } from '../runtime.js';
import { parseCommandArgs, required } from './args.js';

const USAGE = 'cloud-connector check --config FILE [--lookup ID] [--json]';

export async function check(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    { config: { type: 'string' }, lookup: { type: 'string' }, json: { type: 'boolean' } },
    USAGE,
  );
  const say = (line: string) => (values.json ? process.stderr : process.stdout).write(`${line}\n`);
  const loaded = loadConfigFile(required(values.config, '--config', USAGE));
  say(`Config: OK (${loaded.file})`);
  say(`Environment: ${loaded.config.environment}`);
  say(`Data folder: ${loaded.dataDir}`);
  say(`Log folder: ${logDirFor(loaded)}`);
  say(`Audit log: ${auditPathFor(loaded)}`);
  const token = bareTokenFor(readToken(loaded.tokenFile), loaded.config.platformUrl);
  const runtime = createRuntime(loaded, token);
  let ok = true;
  try {
    const probe = await probePlatform(settingsFrom(loaded), token);
    say(`Platform: ${probe.message}${probe.latencyMs !== undefined ? ` Latency ${probe.latencyMs} ms.` : ''}`);
    if (probe.outcome !== 'connected') ok = false;
    const signal = AbortSignal.timeout(10_000);
    for (const [label, target] of [
      ['Patient lookup source', runtime.source],
      ['Document store', runtime.store],
    ] as const) {
      if (!target) {
        say(`${label}: not configured`);
        continue;
      }
      const up = await target.ping({ signal }).catch(() => false);
      say(
        `${label} (${target.type}): ${up ? 'reachable' : 'NOT reachable — check its address, credentials and firewall'}`,
      );
      if (!up) ok = false;
    }
    if (runtime.store) {
      const stored = await testDocumentStore(runtime.store, AbortSignal.timeout(60_000));
      say(
        `Document store test: ${stored.ok ? stored.message : `FAILED — ${stored.message}${stored.detail ? ` (${stored.detail})` : ''}`}`,
      );
      if (!stored.ok) ok = false;
    }
    if (values.lookup !== undefined) {
      if (!runtime.source) {
        say('Test lookup: no patient lookup source is configured.');
        ok = false;
      } else {
        const c = loaded.config;
        const policy = {
          environment: c.environment,
          sourceHoldsOnlyTestData: c.sourceHoldsOnlyTestData,
          titleCaseNames: c.titleCaseNames,
        };
        const lookup = await testLookup(
          runtime.source,
          policy,
          values.lookup,
          AbortSignal.timeout(c.deadlinesMs?.['patient.lookup'] ?? 10_000),
        );
        if (lookup.ok) {
          // --json: exactly the patient.lookup result object on stdout; the rest went to stderr.
          if (values.json) process.stdout.write(`${JSON.stringify(lookup.result)}\n`);
          say(`Test lookup: ${lookup.message}`);
          for (const [field, value] of Object.entries(lookup.result.patient ?? {}))
            say(`  ${field}: ${value === null ? '(none)' : String(value)}`);
        } else {
          say(`Test lookup: FAILED — ${lookup.message}${lookup.detail ? ` (${lookup.detail})` : ''}`);
          ok = false;
        }
      }
    }
  } finally {
    await runtime.shutdown();
  }
  say(ok ? 'All checks passed.' : 'Some checks failed (see above).');
  return ok ? 0 : 1;
}
