import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appRoot, runningFromDist } from '../../engine/shared/app-paths';
import { LineSplitter } from './line-splitter';
import { LaunchedProcessBase } from './process-launcher';
import type { LaunchedProcess, OutputStream, ProcessLauncher } from './process-launcher';
import { engineEnv, engineV8Flags } from './engine-flags';

/**
 * Where an engine service's entry point is: `dist/engine/<svc>.js` when
 * running built code (or when `mode` is 'built'), else `engine/<svc>/main.ts`.
 */
export function engineEntry(service: string, opts: { root?: string; mode?: 'dev' | 'built' | 'auto' } = {}): string {
  const root = opts.root ?? appRoot();
  const built = join(root, 'dist', 'engine', `${service}.js`);
  const mode = opts.mode ?? 'auto';
  if (mode === 'built' || (mode === 'auto' && runningFromDist() && existsSync(built))) return built;
  return join(root, 'engine', service, 'main.ts');
}

class ChildHandle extends LaunchedProcessBase {
  constructor(private readonly child: ChildProcess) {
    super();
    const split = (stream: OutputStream) => new LineSplitter((line) => this.line(stream, line));
    const out = split('stdout');
    const err = split('stderr');
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.on('message', (m) => this.message(m));
    let spawnError: string | undefined;
    child.on('error', (e) => {
      spawnError = e.message;
      // a failed spawn emits 'error' without 'close'
      if (child.pid === undefined) queueMicrotask(() => this.finish({ code: null, signal: null, error: spawnError }));
    });
    // 'close' fires after stdio is drained, so every line is delivered before exit
    child.on('close', (code, signal) => {
      out.flush();
      err.flush();
      this.finish({ code, signal, ...(spawnError ? { error: spawnError } : {}) });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.exitInfo || this.child.exitCode !== null || this.child.signalCode !== null) return false;
    return this.child.kill(signal);
  }
}

export interface ChildProcessLauncherOptions {
  /** working directory of the children (default: the app root, so `--import tsx` resolves) */
  cwd?: string;
  /** extra node flags */
  execArgv?: string[];
}

/**
 * Preloaded into every child: when the IPC channel to the supervisor closes
 * (the parent died without stopping us), stop gracefully via our own SIGTERM
 * handler, and exit for good if that takes longer than 15 s.
 */
export const PARENT_WATCHDOG =
  'data:text/javascript,' +
  encodeURIComponent(
    "process.on('disconnect',()=>{process.kill(process.pid,'SIGTERM');setTimeout(()=>process.exit(1),15000).unref();});",
  );

/**
 * Starts engine processes with node's child_process.fork: `.ts` entries run
 * through tsx (`node --import tsx entry.ts`), `.js` entries run as they are.
 * Children get an IPC channel, piped stdout/stderr, only the given env (over engineEnv()), their
 * own process group, and a watchdog that stops them if the parent dies.
 */
export class ChildProcessLauncher implements ProcessLauncher {
  constructor(private readonly opts: ChildProcessLauncherOptions = {}) {}

  spawn(name: string, entry: string, env: Record<string, string>): LaunchedProcess {
    const cwd = this.opts.cwd ?? appRoot();
    const execArgv = ['--import', PARENT_WATCHDOG, ...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), ...(this.opts.execArgv ?? engineV8Flags(name))];
    const child = fork(resolve(cwd, entry), [], {
      cwd,
      env: { ...engineEnv(), ...env },
      execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
      // own process group: a terminal's Ctrl-C reaches the supervisor, which stops children in order
      detached: process.platform !== 'win32',
    });
    return new ChildHandle(child);
  }
}
