/**
 * The desktop build: `npm run build` output is everything electron-builder
 * packs, the preload is a self-contained CommonJS file, and
 * electron-builder.yml validates against electron-builder's own schema.
 * Runs the build unless dist/ is newer than every source file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
const hasRenderer = existsSync(join(root, 'renderer', 'vite.config.ts'));

interface BuilderConfig {
  appId: string;
  productName: string;
  asar: boolean;
  files: string[];
  extraResources: { from: string; to: string; filter?: string[] }[];
  electronFuses: Record<string, boolean>;
  directories: { buildResources: string; output: string };
  linux: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
}

function walk(dir: string, skip: (p: string) => boolean = () => false): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (skip(p)) return [];
    return e.isDirectory() ? walk(p, skip) : [p];
  });
}

const SOURCE_RE = /\.(ts|mts|mjs|js|svelte|html|css|json|png|svg)$/;
const skipDirs = (p: string) => /(^|\/)(node_modules|dist|\.cache)(\/|$)/.test(relative(root, p));

/** dist/ is fresh when it was built after the last change to anything it is built from. */
function distIsFresh(): boolean {
  const info = join(dist, 'build-info.json');
  if (!existsSync(info)) return false;
  const builtAt = statSync(info).mtimeMs;
  const sources = [
    ...['main', 'engine', 'renderer'].flatMap((d) => walk(join(root, d), skipDirs)),
    join(root, 'scripts', 'build.mjs'),
    join(root, 'package.json'),
  ].filter((f) => SOURCE_RE.test(f) && !f.endsWith('.spec.ts'));
  return sources.every((f) => statSync(f).mtimeMs <= builtAt);
}

let config: BuilderConfig;
let packed: string[];

beforeAll(() => {
  if (!distIsFresh()) {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit', timeout: 600_000 });
  }
  config = parseYaml(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
  // what `files` selects: package.json and dist/** without source maps
  packed = ['package.json', ...walk(dist).map((f) => relative(root, f)).filter((f) => !f.endsWith('.map'))];
}, 600_000);

describe('electron-builder.yml', () => {
  // electron-builder's schema is large: compile it once
  let validate: ValidateFunction;
  beforeAll(() => {
    const schema = JSON.parse(readFileSync(join(root, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8')) as object;
    validate = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true }).compile(schema);
  }, 180_000);

  it("validates against electron-builder's own JSON schema", () => {
    const ok = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check does catch mistakes', () => {
    expect(validate({ ...config, asar: 'yes please' })).toBe(false);
    expect(validate({ ...config, electronFuses: { runAsNode: false, noSuchFuse: true } })).toBe(false);
  });

  it('names the app and its installers for every platform', () => {
    expect(config.appId).toBe('io.heavyrotation.app');
    expect(config.productName).toBe('Heavy Rotation');
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.mac.target).toContain('dmg');
    expect(config.win.target).toContain('nsis');
  });

  it('packs only built output into the asar', () => {
    expect(config.asar).toBe(true);
    expect(config.files.filter((f) => !f.startsWith('!'))).toEqual(['package.json', 'dist/**']);
  });

  it('ships stack/ and cql/ as extra resources, and they exist', () => {
    const from = config.extraResources.map((r) => r.from).sort();
    expect(from).toEqual(['cql', 'stack']);
    expect(existsSync(join(root, 'stack', 'compose.yml'))).toBe(true);
    expect(readdirSync(join(root, 'cql')).filter((f) => /^\d{4}_.+\.cql$/.test(f)).length).toBeGreaterThan(0);
  });

  it('hardens the Electron fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('has its icons: a 1024 px app icon and a 512 px Linux icon, small enough to keep in git', () => {
    const png = (p: string) => {
      const b = readFileSync(join(root, p));
      expect(b.subarray(1, 4).toString('latin1'), p).toBe('PNG');
      return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), bytes: b.length };
    };
    expect(config.mac.icon).toBe('build/icon.png');
    expect(config.win.icon).toBe('build/icon.png');
    const big = png('build/icon.png');
    expect([big.width, big.height]).toEqual([1024, 1024]);
    expect(big.bytes).toBeLessThan(100 * 1024);
    expect(png(join(config.linux.icon, '512x512.png'))).toMatchObject({ width: 512, height: 512 });
    expect(existsSync(join(root, 'build', 'icon.svg'))).toBe(true);
  });
});

describe('npm run build output', () => {
  it('contains every file the app loads at run time', () => {
    const required = [
      'dist/main/electron/main.cjs',
      'dist/main/electron/preload.cjs',
      'dist/main/electron/assets/tray.png',
      'dist/main/electron/assets/trayTemplate.png',
      'dist/main/electron/assets/icon.png',
      'dist/engine/crawler.js',
      'dist/engine/aggregator.js',
      'dist/engine/api.js',
      'dist/main/cli.js',
      ...(hasRenderer ? ['dist/renderer/index.html'] : []),
    ];
    const missing = required.filter((f) => !packed.includes(f));
    expect(missing).toEqual([]);
    for (const f of packed) expect(statSync(join(root, f)).size, f).toBeGreaterThan(0);
  });

  it('the renderer references only files that were built', () => {
    if (!hasRenderer) return;
    const html = readFileSync(join(dist, 'renderer', 'index.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((r) => !/^(https?:|data:|#)/.test(r));
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(existsSync(join(dist, 'renderer', r.replace(/^\.?\//, ''))), r).toBe(true);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script: the CSP forbids it
  });

  it('package.json main resolves to the built main process, inside the packed files', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/main/electron/main.cjs');
    expect(packed).toContain(pkg.main);
  });

  it('the preload is self-contained CommonJS that requires only electron and exposes window.topk', () => {
    const code = readFileSync(join(dist, 'main', 'electron', 'preload.cjs'), 'utf8');
    // parses as a classic script (no import/export statements)
    expect(() => new vm.Script(`(function (exports, require, module) {${code}\n})`, { filename: 'preload.cjs' })).not.toThrow();
    expect(code).not.toMatch(/\bimport\s*\(/);
    const required: string[] = [];
    const exposed = new Map<string, unknown>();
    const electron = {
      contextBridge: { exposeInMainWorld: (k: string, v: unknown) => exposed.set(k, v) },
      ipcRenderer: { sendSync: () => ({ baseUrl: 'http://127.0.0.1:7800', token: 't' }), invoke: () => Promise.resolve(true) },
    };
    const module = { exports: {} };
    const fn = vm.runInNewContext(`(function (exports, require, module) {${code}\n})`, {}) as (e: unknown, r: (id: string) => unknown, m: unknown) => void;
    fn(module.exports, (id) => {
      required.push(id);
      if (id !== 'electron') throw new Error(`preload requires ${id}`);
      return electron;
    }, module);
    expect([...new Set(required)]).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['topk']);
    expect(Object.keys(exposed.get('topk') as object).sort()).toEqual(['baseUrl', 'openExternal', 'token']);
  });

  it('the main process needs nothing outside the bundle but electron, built-ins and optional native add-ons', () => {
    const code = readFileSync(join(dist, 'main', 'electron', 'main.cjs'), 'utf8');
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const optional = new Set(['electron', 'cpu-features', 'kerberos', 'msgpackr-extract', 'pg', '@valkey/valkey-glide']);
    const ids = [...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
    const foreign = [...new Set(ids)].filter((id) => !builtins.has(id) && !optional.has(id) && !id.endsWith('.node'));
    expect(foreign).toEqual([]);
    expect(code).toContain('preload.cjs');
  });

  it('the bundled main process loads and, as a second instance, hands over and quits', () => {
    // a stand-in `electron` for plain node: no lock, so the app must quit before starting anything
    const stub = [
      "const Module = require('node:module');",
      'const load = Module._load;',
      'const app = { isPackaged: false, requestSingleInstanceLock: () => false, on() {}, whenReady: () => new Promise(() => {}),',
      "  quit: () => { process.stdout.write('QUIT\\n'); process.exit(0); }, exit: (c) => process.exit(c) };",
      "Module._load = function (req, ...rest) { return req === 'electron' ? { app, dialog: { showErrorBox() {} } } : load.call(this, req, ...rest); };",
    ].join('\n');
    const dataDir = mkdtempSync(join(tmpdir(), 'topk-main-smoke-'));
    const out = execFileSync(process.execPath, ['-e', `${stub}\nrequire(${JSON.stringify(join(dist, 'main', 'electron', 'main.cjs'))});`], {
      env: { PATH: process.env.PATH ?? '', HOME: dataDir, TOPK_DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out).toContain('another instance is running');
    // the logger writes asynchronously (pino, sync: false), so its hand-over line may be flushed
    // at exit after QUIT; nothing else may follow QUIT
    const lines = out.trim().split('\n').filter((l) => !l.includes('another instance is running; handing over to it'));
    expect(lines.at(-1)).toBe('QUIT');
  }, 90_000);

  it('engine bundles are ES modules importing only Node built-ins', () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    for (const name of ['crawler', 'aggregator', 'api']) {
      const code = readFileSync(join(dist, 'engine', `${name}.js`), 'utf8');
      const imports = [...code.matchAll(/^import\s[^;]*?from\s*["']([^"']+)["']/gm)].map((m) => m[1]!);
      expect(imports.length, name).toBeGreaterThan(0);
      expect(imports.filter((i) => !builtins.has(i)), name).toEqual([]);
    }
  });
});
