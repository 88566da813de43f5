// Starts a real hub on loopback with a fresh tokens file, and writes connector configs for it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { type Hub, type HubOptions, startHub } from '../../src/hub/hub-server.js';
import { createToken } from '../../src/hub/tokens-file.js';
import type { Environment } from '../../src/shared/protocol/index.js';
import { tempDir } from './temp-dir.js';

export const API_KEY = 'test-api-key-0123456789';

export interface HubFixture {
  hub: Hub;
  dir: string;
  tokensFile: string;
  mint(environment?: Environment, tenant?: string): string;
  call(
    method: string,
    params: unknown,
    environment?: Environment,
    tenant?: string,
  ): Promise<{ status: number; body: any }>;
}

export async function startTestHub(t: TestContext, options: Partial<HubOptions> = {}): Promise<HubFixture> {
  const dir = tempDir(t);
  const tokensFile = path.join(dir, 'tokens.jsonl');
  writeFileSync(tokensFile, '');
  const hub = await startHub({ port: 0, host: '127.0.0.1', tokensFile, apiKeys: [API_KEY], ...options });
  t.after(() => hub.close({ graceful: false }));
  return {
    hub,
    dir,
    tokensFile,
    mint: (environment = 'demo', tenant = 'acme') => createToken({ tokensFile, tenant, environment }),
    call: (method, params, environment = 'demo', tenant = 'acme') =>
      callHub(hub.httpUrl, method, params, environment, tenant),
  };
}

export async function callHub(
  httpUrl: string,
  method: string,
  params: unknown,
  environment = 'demo',
  tenant = 'acme',
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${httpUrl}/v1/${tenant}/${environment}/rpc/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return { status: res.status, body: await res.json() };
}
