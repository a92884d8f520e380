#!/usr/bin/env node
// Makes sure node_modules matches package-lock.json before `npm test` / `npm start`:
// runs `npm ci` when node_modules is missing or older than the lock file. Where
// Electron's postinstall cannot download its binary (no internet but the npm
// registry), it retries with ELECTRON_SKIP_BINARY_DOWNLOAD=1; `npm start` then
// runs headless.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');

function stale() {
  if (!existsSync(join(root, 'node_modules')) || !existsSync(installed)) return 'node_modules is missing';
  if (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs) return 'package-lock.json is newer than node_modules';
  return undefined;
}

const why = stale();
if (!why) process.exit(0);

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const args = ['ci', '--no-audit', '--no-fund'];
console.log(`[ensure-deps] ${why}: npm ${args.join(' ')}`);
let r = spawnSync(npm, args, { cwd: root, stdio: 'inherit', env: process.env });
if (r.status !== 0 && process.env.ELECTRON_SKIP_BINARY_DOWNLOAD !== '1') {
  console.log('[ensure-deps] npm ci failed (most likely the Electron binary could not be downloaded); retrying with ELECTRON_SKIP_BINARY_DOWNLOAD=1, so the app will run headless');
  r = spawnSync(npm, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
}
process.exit(r.status ?? 1);
