// The MSI's service, as far as it can be checked without Windows: the fragment applied to the
// project electron-builder renders from its own template (the same ejs rendering, Windows paths)
// gives well-formed WiX with the service, its account, start, recovery and stop rules, the
// "keep running when nobody is signed in" option on by default and the all-users sign-in entry.
// Compiling with WiX and installing happen only in the Windows workflow (not yet run).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { DRAIN_GRACE_MS } from '../../src/shared/protocol/index.js';
import { REPO_ROOT } from '../helpers/processes.js';

const require = createRequire(import.meta.url);
// electron-builder's own template engine, as MsiTarget uses it.
const ejs = require('ejs') as { compile(template: string): (data: Record<string, unknown>) => string };
const fragment = require(path.join(REPO_ROOT, 'scripts/msi/fragments/service.cjs')) as {
  name: string;
  apply(xml: string): string;
  SERVICE_EXE: string;
};
const addService = (xml: string) => fragment.apply(xml);
const hook = require(path.join(REPO_ROOT, 'scripts/msi/msi-project-created.cjs')) as {
  applyFragments(xml: string): string;
};

/** Renders app-builder-lib's MSI template as MsiTarget does, with a file list in its format. */
function renderProject(files: string[], isAssisted: boolean): string {
  const template = readFileSync(path.join(REPO_ROOT, 'node_modules/app-builder-lib/templates/msi/template.xml'), 'utf8')
    .replace(/{{/g, '<%')
    .replace(/}}/g, '%>')
    .replace(/\${([^}]+)}/g, '<%=$1%>');
  const dirs = new Map<string, string>();
  const components = files.map((file, i) => {
    const dir = file.includes('\\') ? file.slice(0, file.lastIndexOf('\\')) : '';
    const id = dir ? `d${i}` : null;
    if (dir && !dirs.has(dir)) dirs.set(dir, `<Directory Id="${id}" Name="APPLICATIONFOLDER:\\${dir}\\"/>`);
    const name = file.slice(file.lastIndexOf('\\') + 1);
    const fileId = file === 'cloud-connector.exe' ? ' Id="mainExecutable"' : dir ? '' : ` Id="${name}_f"`;
    return `<Component${id ? ` Directory="${id}"` : ''}>\n        <File Name="${name}" Source="$(var.appDir)\\${file}" ReadOnly="yes" KeyPath="yes"${fileId}/>\n      </Component>`;
  });
  return ejs.compile(template)({
    productName: 'Cloud Connector',
    upgradeCode: '2005dbf7-3f26-4a29-bd8e-0f7c650e9090',
    version: '0.1.0.0',
    manufacturer: 'Cloud Connector',
    compressionLevel: 'high',
    iconPath: null,
    iconId: 'icon',
    isRunAfterFinish: true,
    isAssisted,
    isPerMachine: true,
    installationDirectoryWixName: 'Cloud Connector',
    programFilesId: 'ProgramFiles64Folder',
    menuCategory: null,
    isCreateDesktopShortcut: false,
    isCreateStartMenuShortcut: true,
    dirs: [...dirs.values()].join('\n    '),
    files: components.join('\n      '),
  });
}

const FILES = [
  'cloud-connector.exe',
  'resources\\app.asar',
  'resources\\service\\CloudConnectorService.exe',
  'resources\\service\\node.exe',
  'resources\\service\\cli.js',
];

// A strict parser for well-formedness (xmldom forgives mismatched tags), xmldom to query.
const sax = require('sax') as {
  parser(strict: boolean): { onerror: (e: Error) => void; write(s: string): { close(): void } };
};

function parse(xml: string) {
  const errors: string[] = [];
  const strict = sax.parser(true);
  strict.onerror = (e) => {
    errors.push(e.message.split('\n')[0] as string);
    throw e;
  };
  try {
    strict.write(xml).close();
  } catch {
    // recorded above
  }
  assert.deepEqual(errors, [], 'well-formed XML');
  return new DOMParser().parseFromString(xml, 'text/xml');
}

test('the fragment adds the service to the component of its wrapper, with the rules the issue asks for', () => {
  const xml = addService(renderProject(FILES, true));
  const doc = parse(xml);
  const install = doc.getElementsByTagName('ServiceInstall')[0];
  assert.ok(install, 'a ServiceInstall');
  const component = install.parentNode as unknown as Element;
  const file = component.getElementsByTagName('File')[0];
  assert.equal(
    file?.getAttribute('Source'),
    `$(var.appDir)\\${fragment.SERVICE_EXE}`,
    'on the wrapper’s own component',
  );
  assert.equal(install.getAttribute('Name'), 'CloudConnector');
  assert.equal(install.getAttribute('Account'), 'NT SERVICE\\CloudConnector', 'a virtual service account');
  assert.equal(install.getAttribute('Start'), 'auto');
  assert.equal(install.hasAttribute('Password'), false);
  const args = install.getAttribute('Arguments') ?? '';
  assert.match(
    args,
    /-- "\[APPLICATIONFOLDER\]resources\\service\\node\.exe" "\[APPLICATIONFOLDER\]resources\\service\\cli\.js" service$/,
  );
  const stopMs = Number(/--stop-timeout (\d+)/.exec(args)?.[1]);
  assert.ok(stopMs > DRAIN_GRACE_MS, 'the wrapper waits longer than the drain before killing');
  assert.match(args, /--restart-if-not 0,2/, 'a usage error (exit 2) is not restarted in a loop');

  const config = install.getElementsByTagName('ServiceConfig')[0];
  assert.equal(config?.getAttribute('DelayedAutoStart'), 'yes');
  assert.equal(Number(config?.getAttribute('PreShutdownDelay')), DRAIN_GRACE_MS);
  assert.equal(config?.getAttribute('ServiceSid'), 'unrestricted', 'the SID the ACLs name stays in its token');
  const recovery = install.getElementsByTagNameNS('http://wixtoolset.org/schemas/v4/wxs/util', 'ServiceConfig')[0];
  assert.equal(recovery?.getAttribute('FirstFailureActionType'), 'restart');
  assert.equal(recovery?.getAttribute('SecondFailureActionType'), 'restart');
  const control = component.getElementsByTagName('ServiceControl')[0];
  assert.equal(control?.getAttribute('Stop'), 'both', 'stopped, and so drained, before an upgrade or uninstall');
  assert.equal(control?.getAttribute('Start'), 'install');
  assert.equal(control?.getAttribute('Remove'), 'uninstall');
  assert.equal(control?.getAttribute('Wait'), 'yes');
  assert.match(
    component.getElementsByTagName('Condition')[0]?.textContent ?? '',
    /KEEP_RUNNING_WHEN_SIGNED_OUT = "1" AND ALLUSERS = 1/,
  );

  const property = [...Array.from(doc.getElementsByTagName('Property'))].find(
    (p) => p.getAttribute('Id') === 'KEEP_RUNNING_WHEN_SIGNED_OUT',
  );
  assert.equal(property?.getAttribute('Value'), '1', 'on by default');
  assert.equal(property?.getAttribute('Secure'), 'yes', 'passed from the installer UI to the installation');
  const box = [...Array.from(doc.getElementsByTagName('Control'))].find((c) => c.getAttribute('Id') === 'KeepRunning');
  assert.equal(box?.getAttribute('Property'), 'KEEP_RUNNING_WHEN_SIGNED_OUT');
  assert.match(box?.getAttribute('Text') ?? '', /^Keep Cloud Connector running when nobody is signed in/);

  const run = doc.getElementsByTagName('RegistryValue')[0];
  assert.equal(run?.getAttribute('Root'), 'HKLM', 'for every user who signs in');
  assert.equal(run?.getAttribute('Key'), 'Software\\Microsoft\\Windows\\CurrentVersion\\Run');
  assert.equal(run?.getAttribute('Value'), '"[#mainExecutable]"');

  assert.equal(addService(xml), xml, 'applying it twice changes nothing');
  assert.equal(doc.getElementsByTagName('ServiceInstall').length, 1);
});

test('the MSI hook applies it beside the other fragments (closing the running app)', () => {
  const doc = parse(hook.applyFragments(renderProject(FILES, true)));
  assert.equal(doc.getElementsByTagName('ServiceInstall').length, 1);
  assert.equal(doc.getElementsByTagNameNS('http://wixtoolset.org/schemas/v4/wxs/util', 'CloseApplication').length, 1);
  assert.equal(fragment.name, 'service');
});

test('without the assisted UI there is no page, and without the wrapper the build stops', () => {
  const quiet = addService(renderProject(FILES, false));
  parse(quiet);
  assert.ok(!quiet.includes('CcKeepRunningDlg'), 'no dialog without WixUI');
  assert.ok(quiet.includes('<ServiceInstall'));
  assert.throws(
    () =>
      addService(
        renderProject(
          FILES.filter((f) => !f.endsWith('CloudConnectorService.exe')),
          true,
        ),
      ),
    /refusing to build an MSI without its service/,
  );
});
