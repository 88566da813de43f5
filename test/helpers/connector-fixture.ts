// Builds a real connector (through the same runtime the CLI uses) from a config object.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { loadConfigFile } from '../../src/main/config/load-config.js';
import type { Connector } from '../../src/main/core/connector.js';
import type { Logger } from '../../src/main/core/logger.js';
import type { SessionState } from '../../src/main/core/session-state.js';
import { createRuntime, type Runtime } from '../../src/main/runtime.js';
import { tempDir } from './temp-dir.js';

/** Short protocol timers so that tests finish quickly. */
export const FAST_TIMERS = {
  backoffBaseMs: 50,
  backoffCapMs: 200,
  helloTimeoutMs: 2_000,
  drainGraceMs: 5_000,
};

export function startTestConnector(
  t: TestContext,
  config: Record<string, unknown>,
  token: string,
  options: { logger?: Logger; start?: boolean } = {},
): Runtime {
  const dir = tempDir(t);
  const file = path.join(dir, 'connector.json');
  const timers = { ...FAST_TIMERS, ...((config.timers as object | undefined) ?? {}) };
  writeFileSync(file, JSON.stringify({ patientLookup: { type: 'demo' }, ...config, timers }));
  const runtime = createRuntime(loadConfigFile(file), token, options.logger);
  t.after(() => runtime.shutdown());
  if (options.start !== false) runtime.connector.start();
  return runtime;
}

export function waitForState(connector: Connector, state: SessionState, timeoutMs = 10_000): Promise<void> {
  if (connector.status().state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      connector.off('state', listener);
      reject(new Error(`timed out waiting for ${state}; state is ${connector.status().state}`));
    }, timeoutMs);
    const listener = (s: { state: SessionState }) => {
      if (s.state !== state) return;
      clearTimeout(timer);
      connector.off('state', listener);
      resolve();
    };
    connector.on('state', listener);
  });
}
