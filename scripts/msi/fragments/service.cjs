// MSI fragment: installs Cloud Connector's Windows service beside the app. Applied by
// scripts/msi/msi-project-created.cjs (electron-builder's `msiProjectCreated` hook) to the WiX
// project electron-builder generated, before it is compiled; needs `additionalWixArgs:
// ["-ext", "WixUtilExtension"]` for util:ServiceConfig, and the service's files staged by
// scripts/stage-service.mjs into build/service/ and packaged as extraResources `service/` (win).
//
// What it adds (the service files come from extraResources `service/`, see docs/operations.md):
// - ServiceInstall on the component of resources\service\CloudConnectorService.exe (shawl, a
//   service wrapper made for ServiceInstall: it reports to the service manager and sends the
//   Node process Ctrl+C on stop), running the headless bundle on the bundled official node.exe:
//   virtual account NT SERVICE\CloudConnector, automatic delayed start, pre-shutdown 30 s,
//   restart on failure (util:ServiceConfig for the wrapper; shawl restarts Node after a crash,
//   but not after exit 2, a usage error).
// - ServiceControl: started at install, stopped (and so drained) before an upgrade or uninstall
//   replaces its files, removed at uninstall.
// - "Keep Cloud Connector running when nobody is signed in", on by default: the public property
//   KEEP_RUNNING_WHEN_SIGNED_OUT (msiexec … KEEP_RUNNING_WHEN_SIGNED_OUT=0 to leave it out) and a
//   checkbox page after the folder page in the assisted installer. Per-machine installs only.
// - An all-users start-at-sign-in entry (HKLM Run) for the tray app, the service's window.
// WiX syntax: electron-builder 26 compiles with its bundled WiX 4.0.0.5512 preview, whose schema
// is WiX 3's under the v4 namespaces (the template uses <Product> and <Condition> children).
// Not yet compiled or run: only the Windows workflow can (see the README).
'use strict';
const { declareNamespace } = require('../msi-project-created.cjs');

const SERVICE_NAME = 'CloudConnector';
const SERVICE_EXE = 'resources\\service\\CloudConnectorService.exe';
const UTIL_NS = 'http://wixtoolset.org/schemas/v4/wxs/util';
const PROPERTY = 'KEEP_RUNNING_WHEN_SIGNED_OUT';
const CONDITION = `<![CDATA[${PROPERTY} = "1" AND ALLUSERS = 1]]>`;
// Fixed: a registry-only component needs a GUID of its own, and it must never change.
const RUN_ENTRY_GUID = '{5B0F6C0E-2F7A-4C39-9B57-6A1E2C7D4F10}';
const MARK = '<!-- cloud-connector service fragment -->';

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function escapeAttr(text) {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The wrapper's command line: shawl's options, then Node and the headless bundle after `--`. */
function serviceArguments() {
  const dir = '[APPLICATIONFOLDER]resources\\service\\';
  return [
    'run',
    `--name ${SERVICE_NAME}`,
    // Longer than the connector's 30 s drain, so a stop is never cut short by the wrapper.
    '--stop-timeout 35000',
    // A crash restarts Node after 5 s; 0 (stopped) and 2 (usage error) do not.
    '--restart-if-not 0,2',
    '--restart-delay 5000',
    '--pass 0',
    // Node's output goes to the wrapper's log too: a failure before the service's own log is
    // open (an ACL that cannot be set, a missing file) is then still on record.
    '--log-dir "[CommonAppDataFolder]Cloud Connector\\logs"',
    '--log-as wrapper',
    '--',
    `"${dir}node.exe"`,
    `"${dir}cli.js"`,
    'service',
  ].join(' ');
}

function serviceElements() {
  return [
    MARK,
    `<Condition>${CONDITION}</Condition>`,
    `<ServiceInstall Id="CloudConnectorService" Name="${SERVICE_NAME}" DisplayName="Cloud Connector"`,
    '  Description="Keeps the consent platform\'s link to this site\'s patient systems running, also when nobody is signed in."',
    `  Type="ownProcess" Start="auto" ErrorControl="normal" Account="NT SERVICE\\${SERVICE_NAME}" Vital="yes"`,
    `  Arguments="${escapeAttr(serviceArguments())}">`,
    // ServiceSid: the ACLs name NT SERVICE\CloudConnector; "unrestricted" keeps that SID in the
    // service's token even if a site runs it under another account (a gMSA for a network share).
    '  <ServiceConfig DelayedAutoStart="yes" PreShutdownDelay="30000" ServiceSid="unrestricted" OnInstall="yes" OnReinstall="yes"/>',
    '  <util:ServiceConfig FirstFailureActionType="restart" SecondFailureActionType="restart"',
    '    ThirdFailureActionType="restart" RestartServiceDelayInSeconds="5" ResetPeriodInDays="1"/>',
    '</ServiceInstall>',
    `<ServiceControl Id="CloudConnectorServiceControl" Name="${SERVICE_NAME}" Start="install" Stop="both" Remove="uninstall" Wait="yes"/>`,
  ].join('\n        ');
}

function runEntryComponent() {
  return [
    `<Component Id="CloudConnectorViewerAtSignIn" Guid="${RUN_ENTRY_GUID}">`,
    `  <Condition>${CONDITION}</Condition>`,
    '  <RegistryValue Root="HKLM" Key="Software\\Microsoft\\Windows\\CurrentVersion\\Run" Name="Cloud Connector"',
    '    Type="string" Value="&quot;[#mainExecutable]&quot;" KeyPath="yes"/>',
    '</Component>',
  ].join('\n      ');
}

/** The assisted installer's extra page, after the folder page, for per-machine installs. */
function keepRunningDialog() {
  return `<UI>
      <Dialog Id="CcKeepRunningDlg" Width="370" Height="270" Title="!(loc.InstallDirDlg_Title)">
        <Control Id="Next" Type="PushButton" X="236" Y="243" Width="56" Height="17" Default="yes" Text="!(loc.WixUINext)">
          <Publish Event="NewDialog" Value="VerifyReadyDlg">1</Publish>
        </Control>
        <Control Id="Back" Type="PushButton" X="180" Y="243" Width="56" Height="17" Text="!(loc.WixUIBack)">
          <Publish Event="NewDialog" Value="InstallDirDlg">1</Publish>
        </Control>
        <Control Id="Cancel" Type="PushButton" X="304" Y="243" Width="56" Height="17" Cancel="yes" Text="!(loc.WixUICancel)">
          <Publish Event="SpawnDialog" Value="CancelDlg">1</Publish>
        </Control>
        <Control Id="BannerBitmap" Type="Bitmap" X="0" Y="0" Width="370" Height="44" TabSkip="no" Text="!(loc.InstallDirDlgBannerBitmap)"/>
        <Control Id="BannerLine" Type="Line" X="0" Y="44" Width="370" Height="0"/>
        <Control Id="BottomLine" Type="Line" X="0" Y="234" Width="370" Height="0"/>
        <Control Id="Title" Type="Text" X="15" Y="6" Width="300" Height="15" Transparent="yes" NoPrefix="yes" Text="{\\WixUI_Font_Title}When nobody is signed in"/>
        <Control Id="Description" Type="Text" X="25" Y="23" Width="300" Height="15" Transparent="yes" NoPrefix="yes" Text="Patient lookups can keep working after the PC restarts at night."/>
        <Control Id="KeepRunning" Type="CheckBox" X="20" Y="60" Width="330" Height="30" Property="${PROPERTY}" CheckBoxValue="1" Text="Keep Cloud Connector running when nobody is signed in (recommended on the clinic's always-on PC)"/>
        <Control Id="Explain" Type="Text" X="20" Y="96" Width="330" Height="60" NoPrefix="yes" Text="Cloud Connector then runs as a Windows service that starts with Windows. Whoever signs in sees its state in the tray; changing the set-up asks for administrator rights."/>
      </Dialog>
      <Publish Dialog="InstallDirDlg" Control="Next" Event="NewDialog" Value="CcKeepRunningDlg" Order="5">1</Publish>
      <Publish Dialog="VerifyReadyDlg" Control="Back" Event="NewDialog" Value="CcKeepRunningDlg" Order="5">NOT Installed AND WixAppFolder = "WixPerMachineFolder"</Publish>
    </UI>`;
}

function addServiceToProject(xml) {
  if (xml.includes(MARK)) return xml;
  // The component electron-builder generated for the wrapper: <Component …>\n <File … Source="…\<exe>" …/>\n </Component>
  const source = `Source="$(var.appDir)\\${SERVICE_EXE}"`;
  const fileAt = xml.search(new RegExp(`<File [^>]*${escapeRegExp(source)}[^>]*/>`));
  if (fileAt < 0) {
    throw new Error(
      `msi service fragment: ${SERVICE_EXE} is not in the package (extraResources "service/" missing?): refusing to build an MSI without its service`,
    );
  }
  const fileEnd = xml.indexOf('/>', fileAt) + 2;
  const componentEnd = xml.indexOf('</Component>', fileEnd);
  let out = `${xml.slice(0, fileEnd)}\n        ${serviceElements()}${xml.slice(fileEnd, componentEnd)}${xml.slice(componentEnd)}`;

  out = declareNamespace(out, 'util', UTIL_NS);
  const productProps = `<Property Id="${PROPERTY}" Value="1" Secure="yes"/>`;
  out = out.replace(/(<Property Id="WIXUI_INSTALLDIR"[^>]*\/>)/, `$1\n    ${productProps}`);
  if (!out.includes(productProps)) throw new Error('msi service fragment: no WIXUI_INSTALLDIR property to add beside');
  out = out.replace(/(<ComponentGroup Id="ProductComponents"[^>]*>)/, `$1\n      ${runEntryComponent()}`);
  if (out.includes('<UIRef Id="WixUI_InstallDir"/>')) {
    out = out.replace('<UIRef Id="WixUI_InstallDir"/>', `<UIRef Id="WixUI_InstallDir"/>\n    ${keepRunningDialog()}`);
  }
  return out;
}

module.exports = {
  name: 'service',
  apply: (wxs) => addServiceToProject(wxs),
  SERVICE_NAME,
  SERVICE_EXE,
  PROPERTY,
};
