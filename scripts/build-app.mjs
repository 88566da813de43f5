// Bundles the desktop app into dist/: Electron main, preload, renderer, and the preview's bridge
// client. Run by scripts/build.mjs; on its own: node scripts/build-app.mjs
import path from 'node:path';
import { bundleMain, bundlePreload, bundlePreviewClient, bundleRenderer } from './app-bundles.mjs';

const dist = path.resolve(import.meta.dirname, '..', 'dist');
await Promise.all([
  bundleMain(path.join(dist, 'main')),
  bundlePreload(path.join(dist, 'preload')),
  bundleRenderer(path.join(dist, 'renderer')),
  bundlePreviewClient(path.join(dist, 'preview')),
]);
console.log('build: dist/main/app.cjs, dist/preload/preload.cjs, dist/renderer/, dist/preview/bridge-client.js');
