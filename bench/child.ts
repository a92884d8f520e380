/**
 * Engine processes the benchmarks start as children: `node --import tsx <entry>.ts`,
 * or the esbuild output in dist/ when it exists. Output is JSON log lines;
 * `ready` resolves on the first line whose msg is "ready".
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Config } from '../engine/shared/config';
import { engineEnv, engineV8Flags } from '../main/supervisor/engine-flags';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const require = createRequire(import.meta.url);

/** node arguments that run a TypeScript entry of this repo under tsx. */
export function tsxArgs(entry: string): string[] {
  return ['--import', require.resolve('tsx'), join(ROOT, entry)];
}

/** Where prepareEngines() bundles the engines; null: run the .ts sources under tsx. */
let bundleDir: string | null = null;
/** Where each engine process writes a V8 CPU profile (config.benchProfileDir), if anywhere. */
let profileDir: string | undefined;

/**
 * Bundles the engines with esbuild exactly as the packaged app ships them
 * (`scripts/build.mjs --engines-only`, a few seconds), so a benchmark measures
 * what users run rather than the sources under tsx's loader (a loader thread
 * and its memory). `benchEngine: 'tsx'` (TOPK_BENCH_ENGINE=tsx) keeps the sources; a
 * failed build falls back to them with a warning. `benchProfileDir` (TOPK_BENCH_PROFILE_DIR):
 * each engine process writes a V8 CPU profile there (summarise with bench/profile-summary.ts).
 */
export async function prepareEngines(say: (line: string) => void, config: Pick<Config, 'benchEngine' | 'benchProfileDir'>): Promise<void> {
  profileDir = config.benchProfileDir;
  if (config.benchEngine === 'tsx') {
    say('engines: TypeScript sources under tsx (TOPK_BENCH_ENGINE=tsx)');
    return;
  }
  const dir = join(ROOT, '.cache', 'bench-engines');
  const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--engines-only', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', (err) => resolve({ code: 1, out: err.message }));
    p.on('exit', (code) => resolve({ code, out }));
  });
  if (r.code === 0 && existsSync(join(dir, 'engine', 'aggregator.js')) && existsSync(join(dir, 'engine', 'api.js'))) {
    bundleDir = dir;
    say(`engines: bundled as the app ships them (${r.out.trim()})`);
  } else {
    say(`engines: bundling failed, running the sources under tsx instead:\n${r.out.trim()}`);
  }
}

/** The command for an engine process: the bundle from prepareEngines(), else the .ts entry under tsx. */
export function engineArgs(name: 'aggregator' | 'api'): string[] {
  const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [];
  if (bundleDir) return [...engineV8Flags(name), ...prof, join(bundleDir, 'engine', `${name}.js`)];
  return [...engineV8Flags(name), ...prof, ...tsxArgs(`engine/${name}/main.ts`)];
}

export interface ChildHandle {
  proc: ChildProcess;
  pid: number;
  /** resolves when the child logged msg "ready"; rejects when it exits first */
  ready: Promise<void>;
  /** last log lines (stdout and stderr), for error messages */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code */
  stop(graceMs?: number): Promise<number | null>;
  onLine(fn: (obj: Record<string, unknown>) => void): void;
  /** resolves on the first log line with this msg (counting lines seen before the call) */
  waitForMsg(msg: string, timeoutMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
let handlersInstalled = false;

/** A benchmark interrupted (Ctrl-C, SIGTERM) must not leave engine processes behind. */
function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of live) c.kill('SIGKILL');
      process.exit(130);
    });
  }
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

/** Starts an engine process as the supervisor does: engineArgs(name), and engineEnv() below the bench's own environment (so a run can override it). */
export function startEngine(name: 'aggregator' | 'api', env: Record<string, string>): ChildHandle {
  return startChild(engineArgs(name), env, name, undefined, engineEnv());
}

/** Starts `node <args>` with `defaults`, then this process's env, then `env`; the child logs at info level so its `ready` line is seen. */
export function startChild(args: string[], env: Record<string, string>, label: string, readyTimeoutMs = 120_000, defaults: Record<string, string> = {}): ChildHandle {
  installSignalHandlers();
  const proc = spawn(process.execPath, args, { env: { ...defaults, ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  const lines: string[] = [];
  const seenMsgs = new Set<string>();
  const listeners: Array<(o: Record<string, unknown>) => void> = [];
  let readyResolve!: () => void;
  let readyReject!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });
  ready.catch(() => undefined);
  const readyTimer = setTimeout(() => readyReject(new Error(`${label} was not ready within ${readyTimeoutMs / 1000} s:\n${lines.join('\n')}`)), readyTimeoutMs);
  readyTimer.unref();
  void ready.finally(() => clearTimeout(readyTimer)).catch(() => undefined);
  const keep = (l: string): void => {
    lines.push(l);
    if (lines.length > 40) lines.shift();
  };
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    keep(l);
    if (!l.startsWith('{')) return;
    try {
      const o = JSON.parse(l) as Record<string, unknown>;
      if (o.msg === 'ready') readyResolve();
      if (typeof o.msg === 'string') seenMsgs.add(o.msg);
      for (const fn of listeners) fn(o);
    } catch {
      /* not JSON */
    }
  });
  createInterface({ input: proc.stderr! }).on('line', keep);
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  void exited.then((code) => readyReject(new Error(`${label} exited with code ${code} before it was ready:\n${lines.join('\n')}`)));
  return {
    proc,
    pid: proc.pid!,
    ready,
    tail: () => lines.join('\n'),
    onLine: (fn) => listeners.push(fn),
    waitForMsg: (msg, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        if (seenMsgs.has(msg)) return resolve();
        const t = setTimeout(() => reject(new Error(`${label}: no "${msg}" within ${timeoutMs / 1000} s:\n${lines.join('\n')}`)), timeoutMs);
        listeners.push((o) => {
          if (o.msg === msg) {
            clearTimeout(t);
            resolve();
          }
        });
      }),
    async stop(graceMs = profileDir ? 120_000 : 30_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/** VmRSS and VmHWM (peak RSS) of a process in bytes, from /proc; null when unavailable. */
export function memoryOf(pid: number): { rss: number; hwm: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** Samples a process's memory every `everyMs`; `peak()` is the largest VmHWM seen (sampled RSS on non-Linux). */
export function sampleMemory(pid: number, everyMs = 250): { peak(): number; stop(): void } {
  let peak = 0;
  const tick = (): void => {
    const m = memoryOf(pid);
    if (m) peak = Math.max(peak, Number.isFinite(m.hwm) ? m.hwm : m.rss);
  };
  tick();
  const t = setInterval(tick, everyMs);
  t.unref();
  return {
    peak: () => (tick(), peak),
    stop: () => clearInterval(t),
  };
}
