// electron-builder's `msiProjectCreated` hook (electron-builder.yml): receives the path of the WiX
// project (project.wxs) electron-builder wrote from its template, before candle and light compile
// it. Every module in ./fragments/ adds its own WiX elements, so that each addition (closing the
// running app, a Windows service later) is a file of its own. A fragment exports
//   { name: string, apply(wxs: string, context): string }
// and must change the project (a template change that leaves it with nothing to do fails the build
// instead of shipping an MSI without it). The helpers below are what fragments share.
'use strict';
const { readdirSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

/** What fragments may need to know about the package. */
function buildContext() {
  const yaml = require('js-yaml');
  const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return {
    /** The installed executable's file name, as electron-builder names it (executableName). */
    exeName: `${config.executableName ?? config.productName}.exe`,
    productName: config.productName,
    version: pkg.version,
  };
}

/** Declares an XML namespace prefix on the root <Wix> element (once). */
function declareNamespace(wxs, prefix, uri) {
  if (wxs.includes(`xmlns:${prefix}="${uri}"`)) return wxs;
  if (new RegExp(`xmlns:${prefix}=`).test(wxs)) throw new Error(`msi: namespace prefix ${prefix} is already bound`);
  const out = wxs.replace(/<Wix\b([^>]*)>/, `<Wix$1 xmlns:${prefix}="${uri}">`);
  if (out === wxs) throw new Error('msi: no <Wix> element in the project');
  return out;
}

/** Adds elements as the last children of <Product>. */
function insertIntoProduct(wxs, elements) {
  const at = wxs.lastIndexOf('</Product>');
  if (at < 0) throw new Error('msi: no </Product> in the project (electron-builder template changed?)');
  return `${wxs.slice(0, at)}${elements}\n  ${wxs.slice(at)}`;
}

function loadFragments(dir = path.join(__dirname, 'fragments')) {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cjs'))
    .sort()
    .map((name) => {
      const fragment = require(path.join(dir, name));
      if (typeof fragment.apply !== 'function' || typeof fragment.name !== 'string') {
        throw new Error(`msi: ${name} must export { name, apply(wxs, context) }`);
      }
      return fragment;
    });
}

/** Applies every fragment to the project's text; returns the new text. */
function applyFragments(wxs, context = buildContext(), fragments = loadFragments()) {
  let out = wxs;
  for (const fragment of fragments) {
    const next = fragment.apply(out, context);
    if (typeof next !== 'string' || next === out) {
      throw new Error(`msi: fragment "${fragment.name}" did not change the project`);
    }
    out = next;
  }
  return out;
}

async function msiProjectCreated(projectFile) {
  const wxs = readFileSync(projectFile, 'utf8');
  writeFileSync(projectFile, applyFragments(wxs));
}

module.exports = msiProjectCreated;
module.exports.default = msiProjectCreated;
module.exports.applyFragments = applyFragments;
module.exports.buildContext = buildContext;
module.exports.declareNamespace = declareNamespace;
module.exports.insertIntoProduct = insertIntoProduct;
module.exports.loadFragments = loadFragments;
