// The app as electron-builder packs it: the desktop bundles are built into a folder of their own
// (the same esbuild functions `npm run build` uses), then exactly the files electron-builder.yml's
// `files` patterns select are copied into an `app` folder, as they would sit inside app.asar.
// node_modules is linked in (electron-builder packs the production dependencies beside them).
import { copyFileSync, cpSync, globSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../helpers/processes.js';

const require = createRequire(import.meta.url);

export interface PackagedLayout {
  /** Plays the part of app.asar: only what `files` selects. */
  appDir: string;
  /** Every file in appDir, relative, with forward slashes. */
  files: string[];
}

export async function builderConfig(): Promise<any> {
  const { getConfig } = require('app-builder-lib/out/util/config/config.js');
  return getConfig(REPO_ROOT, path.join(REPO_ROOT, 'electron-builder.yml'), null);
}

/** The `files` patterns as strings ("!…" excludes). */
export function filePatterns(config: any): string[] {
  return config.files.flatMap((f: string | { filter: string[] }) => (typeof f === 'string' ? [f] : f.filter));
}

/**
 * Builds into `<dir>/source` and lays the package out in `<dir>/app`. `platformFile` replaces
 * build/platform.json for this build (the vendor's platform addresses).
 */
export async function stagePackagedApp(dir: string, options: { platformFile?: object } = {}): Promise<PackagedLayout> {
  const source = path.join(dir, 'source');
  const appDir = path.join(dir, 'app');
  mkdirSync(source, { recursive: true });
  const bundles = await import(pathToFileURL(path.join(REPO_ROOT, 'scripts', 'app-bundles.mjs')).href);
  const platformFile = path.join(dir, 'platform.json');
  if (options.platformFile) writeFileSync(platformFile, JSON.stringify(options.platformFile));
  await Promise.all([
    bundles.bundleMain(path.join(source, 'dist', 'main'), {
      platformFile: options.platformFile ? platformFile : undefined,
    }),
    bundles.bundlePreload(path.join(source, 'dist', 'preload')),
    bundles.bundleRenderer(path.join(source, 'dist', 'renderer')),
  ]);
  cpSync(path.join(REPO_ROOT, 'assets'), path.join(source, 'assets'), { recursive: true });
  copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(source, 'package.json'));

  const patterns = filePatterns(await builderConfig());
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const files = [...new Set(include.flatMap((p) => globSync(p, { cwd: source })))]
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => !exclude.some((p) => path.matchesGlob(f, p)))
    .sort();
  const selected = files.filter((f) => statSync(path.join(source, f)).isFile());
  for (const file of selected) {
    mkdirSync(path.dirname(path.join(appDir, file)), { recursive: true });
    copyFileSync(path.join(source, file), path.join(appDir, file));
  }
  // A junction on Windows: it needs no administrator rights, unlike a directory symlink.
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(appDir, 'node_modules'), 'junction');
  return { appDir, files: selected };
}
