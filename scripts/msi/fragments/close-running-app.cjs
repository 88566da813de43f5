// Closes the running app before the MSI replaces its files (an upgrade, a repair, an uninstall).
// WixUtilExtension's CloseApplication sends WM_CLOSE to the app's top-level windows; the app's
// hidden session window answers it by draining its connectors (connector.draining, close 1001)
// and exiting. Whatever still runs after the timeout is ended (TerminateProcess), never left to
// hold files until a reboot. The attributes are the ones electron-builder's own test suite uses
// with this WiX build (test/src/windows/msiTest.ts, "wix args"); EndSessionMessage is not used as
// it is not confirmed for electron-builder's WiX 4 preview. Needs `-ext WixUtilExtension`
// (msi.additionalWixArgs in electron-builder.yml).
'use strict';
const { declareNamespace, insertIntoProduct } = require('../msi-project-created.cjs');

const UTIL = 'http://wixtoolset.org/schemas/v4/wxs/util';

module.exports = {
  name: 'close-running-app',
  apply(wxs, context) {
    const withNamespace = declareNamespace(wxs, 'util', UTIL);
    // Timeout (seconds): a connector drains at once when idle; calls in flight get up to this long.
    return insertIntoProduct(
      withNamespace,
      `    <util:CloseApplication Id="CloseRunningApp" Target="${context.exeName}" CloseMessage="yes" ` +
        'PromptToContinue="no" RebootPrompt="no" Timeout="15" TerminateProcess="1"/>',
    );
  },
};
