import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { TRAY_ICON_FILES } from '../../src/main/app/tray-icon.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const assets = path.join(root, 'assets');

/** Reads the PNGs scripts/make-icons.mjs writes (8-bit RGBA, filter 0). */
function readPng(file: string): { size: number; rgba: Buffer } {
  const png = readFileSync(file);
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  const size = png.readUInt32BE(16);
  assert.equal(png.readUInt32BE(20), size, 'square');
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.subarray(at + 4, at + 8).toString('latin1') === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += length + 12;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) raw.copy(rgba, y * size * 4, y * (size * 4 + 1) + 1, (y + 1) * (size * 4 + 1));
  return { size, rgba };
}

/** Where the white shape is: the part of the icon that carries meaning without colour. */
function glyphMask({ size, rgba }: { size: number; rgba: Buffer }): boolean[] {
  return Array.from({ length: size * size }, (_, i) => {
    const [r, g, b, a] = [rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2], rgba[i * 4 + 3]] as number[];
    return (a ?? 0) > 128 && Math.min(r ?? 0, g ?? 0, b ?? 0) > 200;
  });
}

test('every tray state has a 16 px and a 32 px icon, and the app icon is 256 px', () => {
  for (const file of Object.values(TRAY_ICON_FILES)) {
    assert.equal(readPng(path.join(assets, 'tray', file)).size, 16, file);
    assert.equal(readPng(path.join(assets, 'tray', file.replace('.png', '@2x.png'))).size, 32, file);
  }
  assert.equal(readPng(path.join(assets, 'app-icon.png')).size, 256);
});

test('the four icons differ in shape, not only in colour', () => {
  const masks = Object.entries(TRAY_ICON_FILES).map(
    ([tone, file]) => [tone, glyphMask(readPng(path.join(assets, 'tray', file)))] as const,
  );
  for (const [toneA, a] of masks) {
    assert.ok(a.filter(Boolean).length >= 12, `${toneA}: the shape is visible at 16 px`);
    for (const [toneB, b] of masks) {
      if (toneA >= toneB) continue;
      const differing = a.filter((v, i) => v !== b[i]).length;
      assert.ok(differing >= 15, `${toneA} vs ${toneB}: only ${differing} pixels differ in shape`);
    }
  }
});

test('the committed icons are exactly what the script generates from their SVG description', async (t) => {
  const out = tempDir(t);
  const icons = await import(pathToFileURL(path.join(root, 'scripts', 'make-icons.mjs')).href);
  icons.writeIcons(out);
  for (const file of Object.values(TRAY_ICON_FILES)) {
    for (const name of [file, file.replace('.png', '@2x.png'), file.replace('.png', '.svg')]) {
      assert.deepEqual(readFileSync(path.join(out, 'tray', name)), readFileSync(path.join(assets, 'tray', name)), name);
    }
  }
  assert.deepEqual(readFileSync(path.join(out, 'app-icon.png')), readFileSync(path.join(assets, 'app-icon.png')));
});
