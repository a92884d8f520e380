#!/usr/bin/env node
// `npm run build`: everything electron-builder packs, under dist/.
//
//   dist/main/electron/main.cjs      Electron main process (CommonJS, `electron` external)
//   dist/main/electron/preload.cjs   sandboxed preload (CommonJS, requires nothing but `electron`)
//   dist/main/electron/assets/       tray icons
//   dist/engine/{crawler,aggregator,api}.js   engine processes (ESM, run by utilityProcess / node)
//   dist/main/cli.js                 the `topk` CLI (ESM)
//   dist/renderer/                   the Svelte UI (vite), when renderer/vite.config.ts exists
//
// Flags: --skip-renderer   leave the UI out (quick main-process builds)
//        --engines-only DIR   only the engine bundles, into DIR (dist/ untouched): what `topk bench` runs
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const args = new Set(process.argv.slice(2));

/**
 * Packages that must stay `require()`s at run time: electron itself,
 * optional native add-ons that their packages load inside try/catch, and
 * BullMQ's optional peers (`pg`, `@valkey/valkey-glide`), which it requires
 * lazily only when a queue is configured to use them — we never do.
 */
const NATIVE_EXTERNALS = ['electron', 'cpu-features', 'kerberos', 'msgpackr-extract', 'pg', '@valkey/valkey-glide', '*.node'];

// Node built-ins and CommonJS dependencies inside an ESM bundle need a real
// `require`, `__filename` and `__dirname`.
const ESM_BANNER = [
  "import { createRequire as __topkCreateRequire } from 'node:module';",
  "import { fileURLToPath as __topkFileURLToPath } from 'node:url';",
  "import { dirname as __topkDirname } from 'node:path';",
  'const require = __topkCreateRequire(import.meta.url);',
  'const __filename = __topkFileURLToPath(import.meta.url);',
  'const __dirname = __topkDirname(__filename);',
].join('\n');

// Sources use `import.meta.url` (e.g. to find the app root); in a CommonJS
// bundle it is rebuilt from __filename.
const CJS_BANNER = "const __topkImportMetaUrl = require('node:url').pathToFileURL(__filename).href;";

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'error',
  absWorkingDir: root,
};

/** @type {{ entry: string, out: string, kind: 'cjs' | 'esm' | 'preload', required: boolean }[]} */
const targets = [
  { entry: 'main/electron/main.ts', out: 'main/electron/main.cjs', kind: 'cjs', required: true },
  { entry: 'main/electron/preload.ts', out: 'main/electron/preload.cjs', kind: 'preload', required: true },
  { entry: 'engine/crawler/main.ts', out: 'engine/crawler.js', kind: 'esm', required: false },
  { entry: 'engine/aggregator/main.ts', out: 'engine/aggregator.js', kind: 'esm', required: false },
  { entry: 'engine/api/main.ts', out: 'engine/api.js', kind: 'esm', required: false },
  { entry: 'main/cli/main.ts', out: 'main/cli.js', kind: 'esm', required: false },
];

/** What each kind of bundle sets beyond `common`. */
const KIND_OPTIONS = {
  cjs: { format: 'cjs', external: NATIVE_EXTERNALS, banner: { js: CJS_BANNER }, define: { 'import.meta.url': '__topkImportMetaUrl' } },
  // Sandboxed preloads get a tiny `require` (electron, events, timers, url):
  // bundle everything else in, and allow only `electron` out.
  preload: { format: 'cjs', platform: 'browser', target: 'chrome120', sourcemap: false, external: ['electron'] },
  esm: { format: 'esm', external: NATIVE_EXTERNALS, banner: { js: ESM_BANNER } },
};

function optionsFor(t, outDir = dist) {
  const kind = KIND_OPTIONS[t.kind];
  if (!kind) throw new Error(`unknown target kind ${t.kind}`);
  return { ...common, entryPoints: [t.entry], outfile: join(outDir, t.out), ...kind };
}

/** Builds only the engine targets into `outDir` (outDir/engine/<name>.js). */
async function buildEngines(outDir) {
  const started = Date.now();
  const engines = targets.filter((t) => t.entry.startsWith('engine/'));
  await Promise.all(engines.map((t) => build(optionsFor(t, outDir))));
  process.stdout.write(`build: ${engines.length} engine bundles in ${relative(root, outDir) || outDir}/ in ${Date.now() - started} ms\n`);
}

async function main() {
  const started = Date.now();
  const enginesOnly = process.argv.indexOf('--engines-only');
  if (enginesOnly !== -1) {
    const outDir = process.argv[enginesOnly + 1];
    if (!outDir) throw new Error('--engines-only needs an output directory');
    return buildEngines(resolve(outDir));
  }
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });

  const missing = [];
  const built = [];
  await Promise.all(
    targets.map(async (t) => {
      if (!existsSync(join(root, t.entry))) {
        if (t.required) throw new Error(`build: ${t.entry} is missing`);
        missing.push(t.entry);
        return;
      }
      await build(optionsFor(t));
      built.push(t.out);
    }),
  );

  const assets = join(root, 'main', 'electron', 'assets');
  if (existsSync(assets)) cpSync(assets, join(dist, 'main', 'electron', 'assets'), { recursive: true });

  const viteConfig = join(root, 'renderer', 'vite.config.ts');
  if (args.has('--skip-renderer')) {
    process.stderr.write('build: renderer skipped (--skip-renderer)\n');
  } else if (existsSync(viteConfig)) {
    const vite = await import('vite');
    await vite.build({
      configFile: viteConfig,
      root: join(root, 'renderer'),
      logLevel: 'warn',
      build: { outDir: join(dist, 'renderer'), emptyOutDir: true },
    });
    built.push('renderer/');
  } else {
    missing.push('renderer/vite.config.ts');
  }

  for (const m of missing) process.stderr.write(`build: skipped ${m} (not written yet)\n`);
  // what the packaging test reads to decide whether dist/ is fresh
  writeFileSync(join(dist, 'build-info.json'), JSON.stringify({ builtAt: new Date().toISOString(), built, missing }, null, 2) + '\n');
  const files = listFiles(dist).filter((f) => !f.endsWith('.map'));
  process.stdout.write(`build: ${built.length} targets, ${files.length} files in ${relative(root, dist)}/ in ${Date.now() - started} ms\n`);
}

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

main().catch((err) => {
  process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
