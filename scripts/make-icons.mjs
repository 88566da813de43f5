// Generates the tray icons and the app icon from their SVG description, so they can be rebuilt:
//   node scripts/make-icons.mjs            → assets/tray/*.svg, *.png (16 px) and *@2x.png (32 px),
//                                             assets/app-icon.svg and assets/app-icon.png (256 px)
// Each icon is a coloured disc with a white shape; the shape differs per state (tick, ring, cross,
// pause bars) so that the state reads without colour. The same primitives produce the SVG and,
// through a small anti-aliased rasteriser (signed distances, 4×4 samples), the PNG.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

/** Shapes on a 16×16 grid. */
export const ICONS = {
  'tray-green': {
    colour: '#1a7f37',
    glyph: [
      {
        line: [
          [4.4, 8.4],
          [7, 11],
          [11.8, 5.4],
        ],
      },
    ],
  },
  'tray-amber': { colour: '#9a6700', glyph: [{ ring: { c: [8, 8], r: 3.6 } }] },
  'tray-red': {
    colour: '#cf222e',
    glyph: [
      {
        line: [
          [5.2, 5.2],
          [10.8, 10.8],
        ],
      },
      {
        line: [
          [10.8, 5.2],
          [5.2, 10.8],
        ],
      },
    ],
  },
  'tray-grey': {
    colour: '#6e7781',
    glyph: [
      {
        line: [
          [6.2, 4.8],
          [6.2, 11.2],
        ],
      },
      {
        line: [
          [9.8, 4.8],
          [9.8, 11.2],
        ],
      },
    ],
  },
  'app-icon': {
    colour: '#0b5cad',
    glyph: [{ ring: { c: [6.6, 8], r: 2.6 } }, { ring: { c: [9.4, 8], r: 2.6 } }],
  },
};
const STROKE = 2.2;
const DISC_RADIUS = 7.6;

export function iconSvg(icon) {
  const parts = icon.glyph.map((g) =>
    g.line
      ? `<polyline points="${g.line.map((p) => p.join(',')).join(' ')}" fill="none" stroke="#fff" stroke-width="${STROKE}" stroke-linecap="round" stroke-linejoin="round"/>`
      : `<circle cx="${g.ring.c[0]}" cy="${g.ring.c[1]}" r="${g.ring.r}" fill="none" stroke="#fff" stroke-width="${STROKE}"/>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16" width="16" height="16">\n  <circle cx="8" cy="8" r="${DISC_RADIUS}" fill="${icon.colour}"/>\n  ${parts.join('\n  ')}\n</svg>\n`;
}

function segmentDistance(p, a, b) {
  const [px, py] = p;
  const [ax, ay] = a;
  const [bx, by] = b;
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function glyphDistance(glyph, p) {
  let d = Number.POSITIVE_INFINITY;
  for (const g of glyph) {
    if (g.line) {
      for (let i = 0; i + 1 < g.line.length; i++)
        d = Math.min(d, segmentDistance(p, g.line[i], g.line[i + 1]) - STROKE / 2);
    } else {
      d = Math.min(d, Math.abs(Math.hypot(p[0] - g.ring.c[0], p[1] - g.ring.c[1]) - g.ring.r) - STROKE / 2);
    }
  }
  return d;
}

/** RGBA pixels, premultiplied nowhere: the disc's colour with white where the glyph covers it. */
export function rasterise(icon, size) {
  const rgb = [1, 3, 5].map((i) => Number.parseInt(icon.colour.slice(i, i + 2), 16));
  const pixels = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let disc = 0;
      let glyph = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const p = [((x + (sx + 0.5) / n) * 16) / size, ((y + (sy + 0.5) / n) * 16) / size];
          if (Math.hypot(p[0] - 8, p[1] - 8) <= DISC_RADIUS) {
            disc++;
            if (glyphDistance(icon.glyph, p) <= 0) glyph++;
          }
        }
      }
      const o = (y * size + x) * 4;
      const white = disc ? glyph / disc : 0;
      for (let c = 0; c < 3; c++) pixels[o + c] = Math.round(rgb[c] * (1 - white) + 255 * white);
      pixels[o + 3] = Math.round((255 * disc) / (n * n));
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A minimal PNG: 8-bit RGBA, no interlace, filter 0 on every row. */
export function encodePng(pixels, size) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function writeIcons(assetsDir) {
  const tray = path.join(assetsDir, 'tray');
  mkdirSync(tray, { recursive: true });
  for (const [name, icon] of Object.entries(ICONS)) {
    if (name === 'app-icon') {
      writeFileSync(path.join(assetsDir, 'app-icon.svg'), iconSvg(icon));
      writeFileSync(path.join(assetsDir, 'app-icon.png'), encodePng(rasterise(icon, 256), 256));
      continue;
    }
    writeFileSync(path.join(tray, `${name}.svg`), iconSvg(icon));
    writeFileSync(path.join(tray, `${name}.png`), encodePng(rasterise(icon, 16), 16));
    writeFileSync(path.join(tray, `${name}@2x.png`), encodePng(rasterise(icon, 32), 32));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeIcons(path.resolve(import.meta.dirname, '..', 'assets'));
  console.log('icons: assets/tray/*.png, assets/app-icon.png');
}
