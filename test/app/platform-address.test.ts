// The platform address a clinic's wizard starts from is the one the vendor wrote in
// build/platform.json before building; none at all (null) for a generic build.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/temp-dir.js';
import { launchApp } from './harness/app-process.js';
import { stagePackagedApp } from './harness/packaged-layout.js';

test('the wizard starts from the vendor’s built-in platform address, and from none when there is none', async (t) => {
  const vendor = 'wss://connect.consent-platform.co.uk/connector/v1';
  const layout = await stagePackagedApp(tempDir(t), { platformFile: { production: vendor, demo: null } });
  const home = tempDir(t);
  const app = launchApp(t, {
    appDir: layout.appDir,
    folders: { userData: path.join(home, 'Roaming', 'Cloud Connector'), localAppData: path.join(home, 'Local') },
  });
  await app.waitForCall((c) => c.method === 'handle' && c.args[0] === 'setup.get', 'IPC');
  const production = await app.invoke('setup.get', { environment: 'production' });
  assert.equal(production.value.network.platformUrl, vendor);
  const demo = await app.invoke('setup.get', { environment: 'demo' });
  assert.equal(demo.value.network.platformUrl, '', 'no placeholder: the wizard asks');
});
