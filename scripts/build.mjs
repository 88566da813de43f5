// Bundles the headless CLI (connector + hub) with esbuild. Native and optional driver modules stay
// external: they are loaded from node_modules at run time.
import { existsSync, readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = ['better-sqlite3', 'pg-native', 'electron', 'electron-log', 'mssql', 'tedious', 'pg', '@medplum/*'];

await build({
  entryPoints: { cli: 'src/main/cli.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external,
  define: { __CONNECTOR_VERSION__: JSON.stringify(pkg.version) },
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});

// The desktop app (main, preload, renderer) has its own build step.
if (existsSync(new URL('./build-app.mjs', import.meta.url))) {
  await import('./build-app.mjs');
}
console.log('build: dist/cli.js');
