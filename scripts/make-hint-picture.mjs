// Draws the first-run picture "drag the icon out of the overflow onto the taskbar" (Windows 11
// hides new tray icons behind the ^), as SVG, and renders it to PNG with Chromium, so it can be
// rebuilt:  node scripts/make-hint-picture.mjs   → assets/hints/keep-icon-visible.{svg,png}
// 364×180 is the size Windows shows a toast's hero image at; rendered at 2× for high-DPI screens.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ICONS, iconSvg } from './make-icons.mjs';

const assets = path.resolve(import.meta.dirname, '..', 'assets');
const icon = (x, y, size, name, opacity = 1) => {
  const inner = iconSvg(ICONS[name])
    .replace(/^<svg[^>]*>/, '')
    .replace(/<\/svg>\s*$/, '');
  return `<g transform="translate(${x} ${y}) scale(${size / 16})" opacity="${opacity}">${inner}</g>`;
};
const grey = (x, y) => `<rect x="${x}" y="${y}" width="16" height="16" rx="4" fill="#8c959f"/>`;

export function hintSvg() {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 364 180" width="364" height="180">
  <rect width="364" height="180" fill="#eef3f8"/>
  <!-- the overflow flyout, opened from the ^ -->
  <rect x="150" y="22" width="108" height="62" rx="8" fill="#ffffff" stroke="#c8d1dc"/>
  ${grey(164, 34)}${grey(190, 34)}${icon(214, 32, 20, 'tray-green')}${grey(164, 58)}${grey(190, 58)}
  <rect x="210" y="28" width="28" height="28" rx="6" fill="none" stroke="#0b5cad" stroke-width="2"/>
  <!-- the taskbar -->
  <rect x="0" y="138" width="364" height="42" fill="#f9fbfd" stroke="#c8d1dc"/>
  <rect x="189" y="148" width="26" height="24" rx="5" fill="#dbe5f0"/>
  <path d="M196 163 l6 -6 l6 6" fill="none" stroke="#24292f" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>
  ${icon(226, 151, 18, 'tray-green', 0.35)}
  <rect x="222" y="147" width="26" height="26" rx="6" fill="none" stroke="#0b5cad" stroke-width="2" stroke-dasharray="4 3"/>
  <text x="300" y="165" font-family="Segoe UI, sans-serif" font-size="13" fill="#24292f">09:30</text>
  <!-- the drag -->
  <path d="M238 58 C 268 80, 262 120, 240 140" fill="none" stroke="#0b5cad" stroke-width="3" stroke-linecap="round"/>
  <path d="M232 133 L240 142 L249 134" fill="none" stroke="#0b5cad" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/>
</svg>
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const svg = hintSvg();
  writeFileSync(path.join(assets, 'hints', 'keep-icon-visible.svg'), svg);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
  const page = await browser.newPage({ viewport: { width: 364, height: 180 }, deviceScaleFactor: 2 });
  await page.setContent(
    `<body style="margin:0">${readFileSync(path.join(assets, 'hints', 'keep-icon-visible.svg'), 'utf8')}</body>`,
  );
  await page.locator('svg').screenshot({ path: path.join(assets, 'hints', 'keep-icon-visible.png') });
  await browser.close();
  console.log('hint: assets/hints/keep-icon-visible.png');
}
