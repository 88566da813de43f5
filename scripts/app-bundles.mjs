// The desktop app's esbuild bundles, one function each, so that the build and the UI tests (which
// build into a temporary folder of their own) produce exactly the same files.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { readPlatformFile } from './platform-file.mjs';
import { englishOnlyZodLocales } from './zod-english-only.mjs';

const root = path.resolve(import.meta.dirname, '..');
const at = (p) => path.join(root, p);
const pkg = JSON.parse(readFileSync(at('package.json'), 'utf8'));
const define = { __CONNECTOR_VERSION__: JSON.stringify(pkg.version) };
// Native and optional modules stay outside the bundle; electron-builder ships them in node_modules.
// The SQL drivers (mssql/tedious, pg) are bundled: their lazy `import()` becomes a `require` of a
// module inside app.cjs, so no ESM loading from inside the asar archive is involved.
const external = ['electron', 'better-sqlite3', 'pg-native', '@medplum/*', 'bufferutil', 'utf-8-validate'];

/**
 * esbuild escapes non-ASCII characters in strings (charset ascii) but not in regular expression
 * literals; one such character anywhere makes V8 keep the whole bundle at two bytes a character.
 * In bundled packages' files (mssql's parameter-name pattern is the one today), each is written as
 * a \u escape, which means the same in a regular expression, a string or an identifier.
 */
const asciiOnlyDependencies = {
  name: 'ascii-only-dependencies',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, async (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!/[^\x00-\x7f]/.test(text)) return undefined;
      const escaped = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      return { contents: escaped, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

/**
 * Electron main process → <outdir>/app.cjs, and <outdir>/platform.json: the platform addresses
 * from build/platform.json (or `platformFile`), null for each with CC_GENERIC_BUILD=1.
 */
export async function bundleMain(outdir, { platformFile = at('build/platform.json') } = {}) {
  const addresses = readPlatformFile(platformFile);
  await build({
    entryPoints: { app: at('src/main/app/main.ts') },
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    supported: { 'dynamic-import': false },
    // As for the CLI (scripts/build.mjs): V8 keeps the bundle's source text in memory, twice as
    // large if any character is not ASCII; names stay, so stack traces read.
    minifyWhitespace: true,
    charset: 'ascii',
    // Licence comments go to app.cjs.LEGAL.txt beside the bundle (shipped with it).
    legalComments: 'external',
    plugins: [asciiOnlyDependencies],
    sourcemap: true,
    external,
    define: { ...define, 'import.meta.url': '__import_meta_url' },
    banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });
  writeFileSync(path.join(outdir, 'platform.json'), `${JSON.stringify(addresses, null, 2)}\n`);
}

/** Sandboxed preload (only 'electron' may be required) → <outdir>/preload.cjs */
export function bundlePreload(outdir) {
  return build({
    entryPoints: { preload: at('src/preload/preload.ts') },
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['electron'],
    logLevel: 'warning',
  });
}

/** Renderer → <outdir>/{index.html, renderer.js, styles.css} */
export async function bundleRenderer(outdir) {
  await build({
    entryPoints: { renderer: at('src/renderer/main.ts') },
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    sourcemap: true,
    // The forms are checked with the config's zod schema: English messages only, and minified.
    plugins: [englishOnlyZodLocales],
    minify: true,
    logLevel: 'warning',
  });
  mkdirSync(outdir, { recursive: true });
  copyFileSync(at('src/renderer/index.html'), path.join(outdir, 'index.html'));
  copyFileSync(at('src/renderer/styles.css'), path.join(outdir, 'styles.css'));
}

/** The preview's stand-in for the preload → <outdir>/bridge-client.js */
export function bundlePreviewClient(outdir) {
  return build({
    entryPoints: { 'bridge-client': at('src/renderer/preview/bridge-client.ts') },
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    logLevel: 'warning',
  });
}
