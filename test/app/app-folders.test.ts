import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { appFolders, moveRoamingSetup } from '../../src/main/app/app-folders.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

test('on Windows (LOCALAPPDATA set) everything lives in the local folder; elsewhere in userData', () => {
  const roaming = path.join('/home', 'AppData', 'Roaming', 'Cloud Connector');
  assert.deepEqual(appFolders(roaming, { LOCALAPPDATA: '/home/AppData/Local' }), {
    dataDir: path.join('/home/AppData/Local', 'Cloud Connector'),
    logsDir: path.join('/home/AppData/Local', 'Cloud Connector', 'logs'),
    roamingDir: roaming,
  });
  assert.equal(appFolders('/home/.config/Cloud Connector', {}).dataDir, '/home/.config/Cloud Connector');
});

test('a roaming set-up moves once, and a local one is never overwritten', (t) => {
  const home = tempDir(t);
  const folders = appFolders(path.join(home, 'Roaming', 'Cloud Connector'), { LOCALAPPDATA: path.join(home, 'Local') });
  mkdirSync(path.join(folders.roamingDir, 'demo'), { recursive: true });
  writeFileSync(path.join(folders.roamingDir, 'demo', 'connector.json'), '{"environment":"demo"}');
  writeFileSync(path.join(folders.roamingDir, 'app-state.json'), '{}');
  writeFileSync(path.join(folders.roamingDir, 'Local State'), 'chromium');
  const logger = captureLogger();
  const { lines } = logger;
  assert.equal(moveRoamingSetup(folders, logger), 2);
  assert.equal(readFileSync(path.join(folders.dataDir, 'demo', 'connector.json'), 'utf8'), '{"environment":"demo"}');
  assert.ok(existsSync(path.join(folders.roamingDir, 'Local State')), "Chromium's files stay");
  assert.ok(!existsSync(path.join(folders.roamingDir, 'demo')));
  assert.equal(lines.filter((l) => l.includes('moved the set-up')).length, 1);
  assert.ok(!lines.join('\n').includes(home), 'no paths in the log');
  // Again: nothing to move. A new roaming set-up beside a local one is left alone.
  mkdirSync(path.join(folders.roamingDir, 'production'), { recursive: true });
  assert.equal(moveRoamingSetup(folders, logger), 0);
  assert.ok(existsSync(path.join(folders.roamingDir, 'production')));
});
