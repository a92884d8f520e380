#!/usr/bin/env node
// Makes sure the built UI matches its sources before `npm start` / `topk serve`, the way
// ensure-deps.mjs does for node_modules: builds renderer/dist with vite when no build exists or
// the one the control server would serve is older than the newest file under renderer/ (sources,
// index.html, configs). A checkout without renderer sources (the packaged app) is left alone.
// Prints what it does on stderr, so a caller's stdout (`ready <url>`) stays clean.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'renderer');

/** The newest modification time under `dir`, skipping build output and node_modules. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'dist' || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function stale() {
  if (!existsSync(join(src, 'src'))) return undefined;
  // the same candidates, in the same order, as engine/shared/app-paths.ts rendererDir()
  const built = ['renderer/dist', 'dist/renderer'].map((c) => join(root, c, 'index.html')).find((f) => existsSync(f));
  if (!built) return 'the user interface has not been built';
  if (newest(src) > statSync(built).mtimeMs) return `the user interface build (${built.slice(root.length + 1)}) is older than its sources`;
  return undefined;
}

const why = stale();
if (!why) process.exit(0);
process.stderr.write(`[ensure-ui] ${why}: vite build renderer\n`);
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: src, stdio: ['ignore', 2, 2], env: process.env });
process.exit(r.status ?? 1);
