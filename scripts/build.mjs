// Bundles the headless CLI (connector + hub) with esbuild. Native and optional driver modules stay
// external: they are loaded from node_modules at run time.
//
// Idle memory of `cloud-connector run` (docs/performance.md §3) shapes three choices here:
// - splitting: each command is its own chunk (dist/chunks/), so `run` never loads the hub, `check`
//   or `audit` code; V8 keeps the source text of every loaded module in memory.
// - minifyWhitespace: drops comments and indentation (about 30 % of the text); names are kept, so
//   error names and stack frames stay readable, and the source maps map back to the sources.
// - zod's 60-odd translations of its error messages (half of zod's code) are left out: zod uses
//   English unless told otherwise, and nothing here asks for another locale (`z.locales`).
// - ASCII only: V8 stores a script containing any non-Latin-1 character as two bytes per
//   character, doubling the largest string in the heap. esbuild escapes strings (charset ascii);
//   the check below catches what it cannot (a literal character in a regular expression).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { englishOnlyZodLocales } from './zod-english-only.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = ['better-sqlite3', 'pg-native', 'electron', 'electron-log', 'mssql', 'tedious', 'pg', '@medplum/*'];

const result = await build({
  entryPoints: { cli: 'src/main/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  minifyWhitespace: true,
  charset: 'ascii',
  external,
  define: { __CONNECTOR_VERSION__: JSON.stringify(pkg.version) },
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  metafile: true,
  plugins: [englishOnlyZodLocales],
  logLevel: 'warning',
});

// Chunk names carry a content hash, so old ones would pile up. Removed only now, after a
// successful build: a failed one leaves the previous dist/cli.js with every chunk it imports.
const written = new Set(Object.keys(result.metafile.outputs).map((f) => path.resolve(f)));
for (const name of readdirSync('dist/chunks')) {
  const file = path.resolve('dist/chunks', name);
  if (!written.has(file)) rmSync(file, { force: true });
}

for (const file of Object.keys(result.metafile.outputs)) {
  if (!file.endsWith('.js')) continue;
  const nonAscii = /[^\x00-\x7f]/.exec(readFileSync(file, 'utf8'));
  if (nonAscii) {
    console.warn(
      `build: ${path.relative('.', file)} contains "${nonAscii[0]}" (not ASCII): V8 will hold it at two bytes a character; write it as \\u${nonAscii[0].charCodeAt(0).toString(16).padStart(4, '0')} in the source`,
    );
  }
}

// The desktop app (main, preload, renderer) has its own build step.
if (existsSync(new URL('./build-app.mjs', import.meta.url))) {
  await import('./build-app.mjs');
}
console.log(`build: dist/cli.js and ${readdirSync('dist/chunks').length / 2} chunks in dist/chunks/`);
