// `npm run preview`: the real desktop UI in a browser, driven by a real controller and connector.
// Builds the renderer, starts a reference hub on loopback (so there is a platform to connect to),
// and serves the UI with the preview bridge standing in for Electron's preload.
//   npm run preview [-- --port 5757] [--dir DIR] [--platform wss://…]
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startHub } from '../src/hub/hub-server.js';
import { createToken } from '../src/hub/tokens-file.js';
import { AppController } from '../src/main/controller/app-controller.js';
import { startBridge } from '../src/main/controller/bridge-server.js';
import { FileSecretStore } from '../src/main/controller/secret-store.js';
import { createConsoleLogger } from '../src/main/core/logger.js';
import { tokenWithAddress } from '../src/shared/ipc/token-format.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5757' },
    dir: { type: 'string' },
    platform: { type: 'string' },
  },
});

// Build first, so that the preview always shows the current renderer.
await import(new URL('./build-app.mjs', import.meta.url).href);
const dir = path.resolve(values.dir ?? mkdtempSync(path.join(os.tmpdir(), 'cc-preview-')));
mkdirSync(dir, { recursive: true });
const apiKey = 'preview-api-key';

// With --platform the wizard starts from that address; with its own hub the tokens carry the
// address (PROTOCOL §9), as a platform's support team would hand them out, and no address is built in.
const platformUrl = values.platform ?? null;
let hub: Awaited<ReturnType<typeof startHub>> | null = null;
if (!platformUrl) {
  const tokensFile = path.join(dir, 'hub-tokens.jsonl');
  writeFileSync(tokensFile, '', { flag: 'a' });
  hub = await startHub({ port: 0, host: '127.0.0.1', tokensFile, apiKeys: [apiKey] });
  const wsUrl = hub.wsUrl;
  const mint = (environment: 'demo' | 'production') =>
    tokenWithAddress(createToken({ tokensFile, tenant: 'preview-clinic', environment }), wsUrl);
  console.log(`Reference hub: ${hub.httpUrl}`);
  console.log(`  Demo token:       ${mint('demo')}`);
  console.log(`  Production token: ${mint('production')}`);
  console.log(
    `  Make a lookup:    curl -s -X POST -H 'authorization: Bearer ${apiKey}' -H 'content-type: application/json' ` +
      `-d '{"identificationNumber":"D100000"}' ${hub.httpUrl}/v1/preview-clinic/demo/rpc/patient.lookup`,
  );
}

const controller = await AppController.create({
  baseDir: path.join(dir, 'app'),
  secrets: new FileSecretStore(path.join(dir, 'app')),
  platformUrls: { demo: platformUrl, production: platformUrl },
  logsDir: path.join(dir, 'app', 'logs'),
  // Quick reconnects, so that stopping and starting the hub shows up at once.
  configExtras: { timers: { backoffBaseMs: 500, backoffCapMs: 5_000 } },
  versions: { preview: 'browser' },
});
const root = path.resolve(import.meta.dirname, '..');
const bridge = await startBridge({
  controller,
  rendererDir: path.join(root, 'dist', 'renderer'),
  bridgeClientFile: path.join(root, 'dist', 'preview', 'bridge-client.js'),
  port: Number(values.port),
  logger: createConsoleLogger(),
});
console.log(`\nCloud Connector preview: ${bridge.url}   (data in ${dir}; Ctrl+C to stop)`);

const stop = async () => {
  await bridge.close();
  await controller.close();
  await hub?.close({ graceful: false });
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
