import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../helpers/temp-dir.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

async function loadBuilderConfig(): Promise<any> {
  // electron-builder's own loader and validator (the same calls `electron-builder` makes first).
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
  const config = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
  await validateConfiguration(config, { isEnabled: false, add() {} });
  return config;
}

test('electron-builder.yml passes electron-builder’s own validation and has what the MSI needs', async () => {
  const config = await loadBuilderConfig();
  assert.equal(config.productName, 'Cloud Connector');
  assert.deepEqual(config.win.target, [{ target: 'msi', arch: ['x64'] }]);
  assert.equal(config.msi.perMachine, true);
  assert.equal(config.msi.runAfterFinish, true);
  assert.equal(config.msi.createStartMenuShortcut, true);
  assert.match(config.msi.upgradeCode, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(config.msi.upgradeCode, '2005dbf7-3f26-4a29-bd8e-0f7c650e9090', 'the upgrade code never changes');
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.ok(
    config.asarUnpack.some((p: string) => p.includes('better-sqlite3')),
    'native module outside the asar',
  );
  // better-sqlite3 13 is N-API with prebuilt binaries: nothing to rebuild for Electron.
  assert.equal(config.npmRebuild, false);
  assert.ok(existsSync(path.join(root, 'node_modules', 'better-sqlite3', 'prebuilds', 'win32-x64.node')));
  assert.match(require('better-sqlite3/package.json').version, /^13\./);
  assert.deepEqual(config.msi.additionalWixArgs, ['-ext', 'WixUtilExtension']);
  assert.deepEqual(config.msi.additionalLightArgs, ['-sval']);
  for (const hook of [config.beforePack, config.msiProjectCreated]) assert.ok(existsSync(path.join(root, hook)), hook);
  assert.deepEqual(
    {
      runAsNode: config.electronFuses.runAsNode,
      cookies: config.electronFuses.enableCookieEncryption,
      asarOnly: config.electronFuses.onlyLoadAppFromAsar,
      integrity: config.electronFuses.enableEmbeddedAsarIntegrityValidation,
      nodeOptions: config.electronFuses.enableNodeOptionsEnvironmentVariable,
      inspect: config.electronFuses.enableNodeCliInspectArguments,
    },
    { runAsNode: false, cookies: true, asarOnly: true, integrity: true, nodeOptions: false, inspect: false },
  );
  assert.equal(config.extraMetadata.main, pkg.main);
});

test('a misspelt key is caught by the same validation (so the test above can fail)', async () => {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
  await assert.rejects(
    validateConfiguration({ msi: { perMachin: true } }, { isEnabled: false, add() {} }),
    /Invalid configuration object[\s\S]*configuration\.msi/,
  );
  await assert.rejects(validateConfiguration({ electronFuse: {} }, { isEnabled: false, add() {} }), /electronFuse/);
});

test('the files electron-builder.yml names exist or are what the build writes', async (t) => {
  const config = await loadBuilderConfig();
  for (const icon of [config.win.icon, config.linux.icon]) assert.ok(existsSync(path.join(root, icon)), icon);
  // The Windows service's files: build/service is written by scripts/stage-service.mjs, which only the
  // Windows release workflow runs (it needs shawl.exe and node.exe for Windows), right before packaging.
  // So that one folder may be absent here, but only because the workflow stages it, and the MSI's
  // service fragment reads exactly where it lands.
  assert.deepEqual(config.win.extraResources, [{ from: 'build/service', to: 'service' }]);
  const stager = readFileSync(path.join(root, 'scripts', 'stage-service.mjs'), 'utf8');
  assert.match(
    stager,
    /out: \{ type: 'string', default: 'build\/service' \}/,
    'stage-service.mjs writes build/service',
  );
  const release = readFileSync(path.join(root, '.github', 'workflows', 'release.yml'), 'utf8');
  assert.ok(
    release.indexOf('node scripts/stage-service.mjs') >= 0 &&
      release.indexOf('node scripts/stage-service.mjs') < release.indexOf('electron-builder --win msi'),
    'the release workflow stages build/service before it packages the MSI',
  );
  const fragment = readFileSync(path.join(root, 'scripts', 'msi', 'fragments', 'service.cjs'), 'utf8');
  assert.match(
    fragment,
    /'resources\\\\service\\\\CloudConnectorService\.exe'/,
    'the MSI installs from resources\\service',
  );
  for (const extra of config.win.extraResources) {
    if (extra.from !== 'build/service') assert.ok(existsSync(path.join(root, extra.from)), extra.from);
  }
  for (const tone of ['green', 'amber', 'red', 'grey']) {
    assert.ok(existsSync(path.join(root, 'assets', 'tray', `tray-${tone}.png`)));
  }
  // Build the bundles into a folder of our own and check the names line up with `files` and `main`.
  const out = tempDir(t);
  const bundles = await import(pathToFileURL(path.join(root, 'scripts', 'app-bundles.mjs')).href);
  await Promise.all([
    bundles.bundleMain(path.join(out, 'main')),
    bundles.bundlePreload(path.join(out, 'preload')),
    bundles.bundleRenderer(path.join(out, 'renderer')),
  ]);
  assert.equal(pkg.main, 'dist/main/app.cjs');
  const mainFile = path.join(out, 'main', 'app.cjs');
  for (const f of [
    'main/app.cjs',
    'preload/preload.cjs',
    'renderer/index.html',
    'renderer/renderer.js',
    'renderer/styles.css',
  ]) {
    assert.ok(existsSync(path.join(out, f)), f);
    const dir = f.split('/')[0];
    const patterns: string[] = config.files.flatMap((f: string | { filter: string[] }) =>
      typeof f === 'string' ? [f] : f.filter,
    );
    assert.ok(patterns.includes(`dist/${dir}/**`), `electron-builder packs dist/${dir}`);
  }
  execFileSync(process.execPath, ['--check', mainFile]);

  // What the main bundle still loads at run time must be built in or shipped as a dependency.
  const requires = (file: string) =>
    [...readFileSync(file, 'utf8').matchAll(/require\("([^"./][^"]*)"\)/g)].map((m) => m[1] as string);
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  for (const name of new Set(requires(mainFile))) {
    if (builtins.has(name) || name === 'electron') continue;
    const top = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : (name.split('/')[0] as string);
    // Optional add-ons their users load in try/catch (kerberos: https-proxy-agent's Negotiate support).
    const optional = ['pg-native', 'bufferutil', 'utf-8-validate', 'kerberos'].includes(top);
    assert.ok(optional || top in pkg.dependencies, `${name} is required at run time but is not a dependency`);
  }
  // The SQL drivers are inside the bundle, loaded with require on first use: no ESM import() of a
  // package from inside the asar archive.
  const mainText = readFileSync(mainFile, 'utf8');
  assert.doesNotMatch(mainText, /\bimport\(\s*["'](mssql|pg|tedious)["']/);
  assert.match(mainText, /require_mssql\(\)/);
  // ASCII only, or V8 keeps the whole 3 MB script at two bytes a character; licences beside it.
  assert.equal(/[^\x00-\x7f]/.exec(mainText)?.[0], undefined);
  assert.ok(existsSync(`${mainFile}.LEGAL.txt`));
  // The sandboxed preload may only require electron.
  assert.deepEqual([...new Set(requires(path.join(out, 'preload', 'preload.cjs')))], ['electron']);
  const html = readFileSync(path.join(out, 'renderer', 'index.html'), 'utf8');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; script-src 'self'/);
});

test('the release workflow: every step fails on error; tests, MSI, silent install, launch, uninstall on Windows', () => {
  const workflow = readFileSync(path.join(root, '.github', 'workflows', 'release.yml'), 'utf8');
  const parsed = require('js-yaml').load(workflow);
  const { build, 'install-and-launch': install, release } = parsed.jobs;
  for (const job of [build, install]) assert.equal(job['runs-on'], 'windows-latest');
  // bash runs with -e -o pipefail; a multi-line PowerShell step must stop at its first failure.
  assert.equal(parsed.defaults.run.shell, 'bash');
  const steps = [...build.steps, ...install.steps, ...release.steps];
  for (const step of steps) {
    assert.ok([undefined, 'bash', 'pwsh'].includes(step.shell), `${step.name}: shell ${step.shell}`);
    if (step.shell === 'pwsh' && step.if !== 'always()' && String(step.run).trim().includes('\n')) {
      assert.match(step.run, /\$ErrorActionPreference = 'Stop'/, `${step.name} stops on error`);
    }
  }
  const runs = (job: any) => job.steps.map((s: any) => s.run ?? s.uses).join('\n');
  assert.match(runs(build), /npm ci/);
  assert.match(runs(build), /^npm run lint$/m);
  assert.match(runs(build), /^npm run typecheck$/m);
  assert.match(runs(build), /^npm test -- test\/app test\/core test\/audit$/m);
  assert.match(runs(build), /npm run build/);
  assert.match(runs(build), /electron-builder --win msi/);
  assert.match(runs(build), /app\.asar\.unpacked\/node_modules\/better-sqlite3/, 'the packaged native module loads');
  assert.match(runs(build), /UNSIGNED build/, 'the summary says so plainly');
  const setupNode = build.steps.find((s: any) => String(s.uses).startsWith('actions/setup-node'));
  assert.equal(setupNode.with['node-version'], 24);
  const checkout = build.steps.find((s: any) => String(s.uses).startsWith('actions/checkout'));
  assert.equal(checkout.with?.['persist-credentials'], false, 'the token is not kept in .git/config');
  // Install, launch with the inspect fuse on (this job only), uninstall, logs whatever happened.
  const installRuns = runs(install);
  assert.match(installRuns, /'\/i', .*'\/qn', '\/l\*v'/);
  assert.match(installRuns, /-ne 0 -and \$p\.ExitCode -ne 3010/);
  assert.match(installRuns, /electron-fuses write --app "\$EXE" EnableNodeCliInspectArguments=on/);
  assert.doesNotMatch(runs(build), /EnableNodeCliInspectArguments/, 'the shipped MSI keeps the fuse off');
  assert.match(installRuns, /node scripts\/windows\/check-installed-app\.mjs "\$EXE"/);
  assert.match(installRuns, /'\/x'/);
  // Uninstalled while the app runs: the MSI must close it (util:CloseApplication), not leave it holding files.
  assert.match(
    installRuns,
    /Start-Process -FilePath \$env:EXE -PassThru[\s\S]*'\/x'[\s\S]*still runs after the uninstall/,
  );
  // The Windows service: staged before packaging, installed as asked, connected to a hub, removed on uninstall.
  const buildRuns = runs(build);
  assert.match(buildRuns, /cargo install shawl --version 1\.9\.0 --locked --root build\/shawl/);
  assert.ok(
    buildRuns.indexOf('node scripts/stage-service.mjs --shawl build/shawl/bin/shawl.exe') >
      buildRuns.indexOf('npm run build') &&
      buildRuns.indexOf('node scripts/stage-service.mjs') < buildRuns.indexOf('electron-builder --win msi'),
    'the service is staged after the bundles are built and before the MSI is packaged',
  );
  assert.match(installRuns, /StartName -ne 'NT SERVICE\\CloudConnector'/);
  assert.match(installRuns, /DelayedAutostart -ne 1/);
  assert.match(installRuns, /sc\.exe qfailure CloudConnector[\s\S]*-notmatch 'RESTART'/);
  assert.match(installRuns, /icacls "\$data\\admin\.key"/);
  assert.match(installRuns, /CurrentVersion\\Run' -Name 'Cloud Connector'/);
  assert.match(
    installRuns,
    /v1\/ipc\/setup\.save[\s\S]*-ne 'connected'[\s\S]*rpc\/patient\.lookup[\s\S]*Restart-Service CloudConnector/,
  );
  assert.ok(
    installRuns.indexOf('Restart-Service CloudConnector') > installRuns.indexOf('check-installed-app.mjs'),
    'the service is set up over its control channel after the app was checked',
  );
  assert.match(installRuns, /'\/x'[\s\S]*Get-Service CloudConnector -ErrorAction SilentlyContinue\) \{ throw/);
  // A native command's failure fails the step: every PowerShell step that runs sc.exe, icacls or node checks.
  for (const step of install.steps.filter((s: any) => s.shell === 'pwsh' && /\b(sc\.exe|icacls|node) /.test(s.run))) {
    assert.match(
      step.run,
      /\$PSNativeCommandUseErrorActionPreference = \$true/,
      `${step.name} fails on a native error`,
    );
  }
  const upload = install.steps.find((s: any) => String(s.uses).startsWith('actions/upload-artifact'));
  assert.equal(upload.if, 'always()');
  execFileSync(process.execPath, ['--check', path.join(root, 'scripts', 'windows', 'check-installed-app.mjs')]);
  assert.deepEqual(
    release.needs,
    ['build', 'install-and-launch'],
    'nothing is released that did not install and start',
  );
});

/** electron-builder's own MSI template, rendered the way its MsiTarget does (ejs, same substitutions). */
function renderBuilderWxs(): string {
  const builderDir = path.dirname(require.resolve('app-builder-lib/package.json'));
  const ejs = createRequire(path.join(builderDir, 'package.json'))('ejs');
  const template = readFileSync(path.join(builderDir, 'templates', 'msi', 'template.xml'), 'utf8')
    .replace(/{{/g, '<%')
    .replace(/}}/g, '%>')
    .replace(/\${([^}]+)}/g, '<%=$1%>');
  return ejs.compile(template)({
    productName: 'Cloud Connector',
    upgradeCode: '2005DBF7-3F26-4A29-BD8E-0F7C650E9090',
    version: '0.1.0.0',
    manufacturer: 'Cloud Connector contributors',
    compressionLevel: 'high',
    installationDirectoryWixName: 'Cloud Connector',
    iconPath: null,
    iconId: 'CloudConnectorIcon.exe',
    isRunAfterFinish: true,
    isAssisted: true,
    isPerMachine: true,
    menuCategory: null,
    programFilesId: 'ProgramFiles64Folder',
    isCreateDesktopShortcut: false,
    isCreateStartMenuShortcut: true,
    dirs: '',
    files:
      '<Component><File Name="cloud-connector.exe" Source="$(var.appDir)\\cloud-connector.exe" ReadOnly="yes" KeyPath="yes" Id="mainExecutable"/></Component>' +
      // The service's wrapper (extraResources service/), which scripts/msi/fragments/service.cjs needs.
      '<Component Directory="dsvc"><File Name="CloudConnectorService.exe" Source="$(var.appDir)\\resources\\service\\CloudConnectorService.exe" ReadOnly="yes" KeyPath="yes"/></Component>',
  });
}

test('the MSI hook adds CloseApplication to electron-builder’s real WiX template, and fails loudly if it cannot', (t) => {
  const hook = require(path.join(root, 'scripts', 'msi', 'msi-project-created.cjs'));
  const wxs = renderBuilderWxs();
  const file = path.join(tempDir(t), 'project.wxs');
  writeFileSync(file, wxs);
  return hook.default(file).then(() => {
    const out = readFileSync(file, 'utf8');
    const builderDir = path.dirname(require.resolve('app-builder-lib/package.json'));
    const { DOMParser } = createRequire(path.join(builderDir, 'package.json'))('@xmldom/xmldom');
    const errors: string[] = [];
    const doc = new DOMParser({
      onError: (level: string, message: string) => errors.push(`${level}: ${message}`),
    }).parseFromString(out, 'text/xml');
    assert.deepEqual(errors, [], 'well-formed XML');
    const product = doc.getElementsByTagName('Product')[0];
    const closers = doc.getElementsByTagNameNS('http://wixtoolset.org/schemas/v4/wxs/util', 'CloseApplication');
    assert.equal(closers.length, 1);
    const close = closers[0];
    assert.equal(close.parentNode, product, 'a child of <Product>');
    assert.equal(close.getAttribute('Target'), 'cloud-connector.exe', 'electron-builder.yml executableName + .exe');
    assert.equal(close.getAttribute('CloseMessage'), 'yes');
    assert.equal(close.getAttribute('TerminateProcess'), '1');
    assert.equal(close.getAttribute('PromptToContinue'), 'no', 'a silent install never waits for a person');
    // Every fragment file is applied; one that changes nothing, or a template without </Product>, fails the build.
    assert.throws(() => hook.applyFragments('<Wix xmlns="http://wixtoolset.org/schemas/v4/wxs"></Wix>'), /Product/);
    assert.throws(
      () => hook.applyFragments(wxs, hook.buildContext(), [{ name: 'noop', apply: (w: string) => w }]),
      /fragment "noop" did not change the project/,
    );
  });
});

test('the MSI build refuses placeholder platform addresses unless the build is generic', async (t) => {
  const { checkPlatformAddresses } = require(path.join(root, 'scripts', 'msi', 'before-pack.cjs'));
  const platform = await import(pathToFileURL(path.join(root, 'scripts', 'platform-file.mjs')).href);
  const dir = tempDir(t);
  const write = (value: object) => {
    const file = path.join(dir, `${Math.random()}.json`);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };
  // What the repository ships is a placeholder: an MSI built from it would fail here.
  const shipped = platform.readPlatformFile(path.join(root, 'build', 'platform.json'), { generic: false });
  await assert.rejects(
    checkPlatformAddresses(write(shipped)),
    /placeholder platform addresses[\s\S]*build\/platform\.json[\s\S]*CC_GENERIC_BUILD=1/,
  );
  await assert.rejects(
    checkPlatformAddresses(write({ production: 'wss://connect.example.com/v1', demo: null })),
    /production: wss:\/\/connect\.example\.com\/v1 is a placeholder/,
  );
  await assert.rejects(
    checkPlatformAddresses(write({ production: 'ws://connect.consent-platform.co.uk/connector/v1', demo: null })),
    /production: ws:\/\/connect\.consent-platform\.co\.uk\/connector\/v1 is not wss:\/\//,
  );
  await checkPlatformAddresses(write({ production: 'wss://connect.consent-platform.co.uk/connector/v1', demo: null }));
  // A generic build writes no addresses at all, which packages.
  const generic = platform.readPlatformFile(path.join(root, 'build', 'platform.json'), { generic: true });
  assert.deepEqual(generic, { production: null, demo: null });
  await checkPlatformAddresses(write(generic));
  assert.throws(() => platform.readPlatformFile(write({ production: 'http://x', demo: null }), { generic: false }));
});

test('SQLite helper threads load better-sqlite3 from app.asar.unpacked in the packaged app, not from inside app.asar', async () => {
  const { asarUnpackedPath } = await import('../../src/main/integrations/sql/sqlite-driver.js');
  const win = 'C:\\Program Files\\Cloud Connector\\resources\\app.asar\\node_modules\\better-sqlite3\\lib\\index.js';
  assert.equal(
    asarUnpackedPath(win),
    'C:\\Program Files\\Cloud Connector\\resources\\app.asar.unpacked\\node_modules\\better-sqlite3\\lib\\index.js',
  );
  const linux = '/opt/Cloud Connector/resources/app.asar/node_modules/better-sqlite3/lib/index.js';
  assert.equal(asarUnpackedPath(linux), linux.replace('/app.asar/', '/app.asar.unpacked/'));
  // Outside a package (npm test, the headless connector) and already unpacked: unchanged.
  const dev = path.join(root, 'node_modules', 'better-sqlite3', 'lib', 'index.js');
  assert.equal(asarUnpackedPath(dev), dev);
  const unpacked = linux.replace('/app.asar/', '/app.asar.unpacked/');
  assert.equal(asarUnpackedPath(unpacked), unpacked);
  // What it relies on: electron-builder unpacks all of better-sqlite3.
  const config = await loadBuilderConfig();
  assert.ok(config.asarUnpack.includes('**/node_modules/better-sqlite3/**'));
});
