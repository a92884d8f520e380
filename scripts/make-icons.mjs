#!/usr/bin/env node
// Renders the icon sources (build/icon.svg, build/tray.svg) into the PNGs that
// electron-builder and the tray use. Run after editing an SVG:
//   node scripts/make-icons.mjs [path-to-chromium]
// Needs a Chromium (default /usr/bin/chromium) and playwright-core.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const executablePath = process.argv[2] ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const appIcon = readFileSync(join(root, 'build', 'icon.svg'), 'utf8');
const tray = readFileSync(join(root, 'build', 'tray.svg'), 'utf8');
const trayColour = tray.replaceAll('#000', '#ff922b');

/** [svg, size, output] */
const jobs = [
  [appIcon, 1024, 'build/icon.png'],
  [appIcon, 512, 'build/icons/512x512.png'],
  [appIcon, 256, 'main/electron/assets/icon.png'],
  [trayColour, 32, 'main/electron/assets/tray.png'],
  [tray, 16, 'main/electron/assets/trayTemplate.png'],
  [tray, 32, 'main/electron/assets/trayTemplate@2x.png'],
];

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  for (const [svg, size, out] of jobs) {
    await page.setViewportSize({ width: size, height: size });
    const sized = svg.replace(/width="\d+" height="\d+"/, `width="${size}" height="${size}"`);
    await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
    const file = join(root, out);
    mkdirSync(dirname(file), { recursive: true });
    await page.screenshot({ path: file, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    process.stdout.write(`${out}: ${size}x${size}, ${statSync(file).size} bytes\n`);
  }
} finally {
  await browser.close();
}
