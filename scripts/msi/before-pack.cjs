// electron-builder's `beforePack` hook: refuses to package an app whose built-in platform
// addresses are still the placeholders of build/platform.json. A vendor fills that file in before
// building the MSI; a generic MSI (no addresses: the wizard asks) is built with CC_GENERIC_BUILD=1
// set for `npm run build`, which writes null addresses.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

async function checkPlatformAddresses(file = path.join(root, 'dist', 'main', 'platform.json')) {
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  const { placeholderProblems } = await import('../platform-file.mjs');
  const problems = placeholderProblems(JSON.parse(readFileSync(file, 'utf8')));
  if (problems.length > 0) {
    throw new Error(
      `The app would ship placeholder platform addresses (${problems.join('; ')}). ` +
        'Fill in build/platform.json with your platform’s addresses and run `npm run build` again, ' +
        'or build a generic MSI with `CC_GENERIC_BUILD=1 npm run build` (the wizard then asks for the address).',
    );
  }
}

async function beforePack() {
  await checkPlatformAddresses();
}

module.exports = beforePack;
module.exports.default = beforePack;
module.exports.checkPlatformAddresses = checkPlatformAddresses;
