// `cloud-connector check --config FILE`: validates the config, reaches the platform with the token,
// and reports each data source's reachability in plain words. Exit 0 when all is well, else 1.
import { loadConfigFile } from '../config/load-config.js';
import { readToken } from '../config/token.js';
import { probePlatform } from '../core/probe.js';
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
  const token = readToken(loaded.tokenFile);
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
  } finally {
    await runtime.shutdown();
  }
  say(ok ? 'All checks passed.' : 'Some checks failed (see above).');
  return ok ? 0 : 1;
}
