// The desktop app's esbuild bundles, one function each, so that the build and the UI tests (which
// build into a temporary folder of their own) produce exactly the same files.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { englishOnlyZodLocales } from './zod-english-only.mjs';

const root = path.resolve(import.meta.dirname, '..');
const at = (p) => path.join(root, p);
const pkg = JSON.parse(readFileSync(at('package.json'), 'utf8'));
const define = { __CONNECTOR_VERSION__: JSON.stringify(pkg.version) };
// Native and optional modules stay outside the bundle; electron-builder ships them in node_modules.
const external = [
  'electron',
  'better-sqlite3',
  'pg-native',
  'mssql',
  'tedious',
  'pg',
  '@medplum/*',
  'bufferutil',
  'utf-8-validate',
];

/** Electron main process → <outdir>/app.cjs */
export function bundleMain(outdir) {
  return build({
    entryPoints: { app: at('src/main/app/main.ts') },
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    sourcemap: true,
    external,
    define: { ...define, 'import.meta.url': '__import_meta_url' },
    banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });
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
