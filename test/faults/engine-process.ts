/**
 * An engine process (`node --import tsx engine/<name>/main.ts`) run the way the
 * product's supervisor runs it: restarted after an unexpected exit. Output goes
 * to a log file; `kill()` SIGKILLs it (the fault), `restart()` starts it again.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { configToEnv } from '../../engine/shared/config';
import type { Config } from '../../engine/shared/config';
import { ROOT } from './fault-stack';

export class EngineProcess {
  private child: ChildProcess | undefined;
  private stopped = false;
  /** unexpected exits (not caused by kill()/stop()) */
  crashes = 0;
  starts = 0;
  private readyWaiters: Array<() => void> = [];
  private expectExit = false;

  constructor(
    readonly name: 'aggregator' | 'crawler' | 'api',
    private readonly config: Config,
    private readonly logFile: string,
    private readonly extraEnv: Record<string, string> = {},
  ) {
    mkdirSync(dirname(logFile), { recursive: true });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    this.stopped = false;
    this.expectExit = false;
    this.starts++;
    const fd = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', `engine/${this.name}/main.ts`], {
      cwd: ROOT,
      env: { ...process.env, ...configToEnv(this.config), TOPK_LOG_LEVEL: 'info', ...this.extraEnv },
      stdio: ['ignore', 'pipe', fd],
    });
    closeSync(fd);
    this.child = child;
    let buf = '';
    const ready = new Promise<void>((resolve) => this.readyWaiters.push(resolve));
    const out = openSync(this.logFile, 'a');
    child.stdout!.on('data', (d: Buffer) => {
      const s = d.toString();
      buf = (buf + s).slice(-4096);
      try {
        writeSync(out, s);
      } catch {
        /* log file gone */
      }
      if (buf.includes('"msg":"ready"')) {
        for (const w of this.readyWaiters.splice(0)) w();
      }
    });
    child.on('exit', (code, signal) => {
      closeSync(out);
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopped || this.expectExit) return;
      // unexpected: the supervisor restarts it after a second
      this.crashes++;
      note(this.logFile, `--- ${this.name} exited unexpectedly (code ${code}, signal ${signal}); restarting`);
      setTimeout(() => {
        if (!this.stopped && !this.child) void this.start();
      }, 1000);
    });
    return ready;
  }

  /** SIGKILL now (the fault); the caller restarts it. */
  kill(): Promise<void> {
    const c = this.child;
    if (!c) return Promise.resolve();
    this.expectExit = true;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGKILL');
    return gone;
  }

  /** SIGTERM and wait (graceful stop, end of a case). */
  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.child;
    if (!c) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(t);
  }
}

function note(file: string, line: string): void {
  appendFileSync(file, `${new Date().toISOString()} ${line}\n`);
}
