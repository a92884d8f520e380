import { utilityProcess } from 'electron';
import type { UtilityProcess } from 'electron';
import { LineSplitter } from '../supervisor/line-splitter';
import { LaunchedProcessBase } from '../supervisor/process-launcher';
import type { ExitInfo, LaunchedProcess, OutputStream, ProcessLauncher } from '../supervisor/process-launcher';
import { engineEnv, engineV8Flags } from '../supervisor/engine-flags';

/** How long to wait for stdout/stderr to drain after the process exited. */
const DRAIN_TIMEOUT_MS = 2000;

export interface UtilityProcessLauncherOptions {
  /** working directory of the engine processes */
  cwd?: string;
  /** extra flags for the engine's Node (e.g. `--max-old-space-size=512`) */
  execArgv?: string[];
  /** sends a signal to a pid; injectable for tests (default process.kill) */
  killPid?: (pid: number, signal: NodeJS.Signals) => void;
}

type Killer = (pid: number, signal: NodeJS.Signals) => void;

class UtilityHandle extends LaunchedProcessBase {
  private exited = false;
  private sentSignal: NodeJS.Signals | undefined;
  private fatalError: string | undefined;

  constructor(
    private readonly child: UtilityProcess,
    private readonly killPid: Killer,
  ) {
    super();
    const split = (stream: OutputStream) => new LineSplitter((line) => this.line(stream, line));
    const out = split('stdout');
    const err = split('stderr');
    const drained: Promise<void>[] = [];
    for (const [readable, splitter] of [
      [child.stdout, out],
      [child.stderr, err],
    ] as const) {
      if (!readable) continue;
      readable.on('data', (c: Buffer) => splitter.push(c));
      drained.push(
        new Promise<void>((resolve) => {
          readable.once('end', () => resolve());
          readable.once('close', () => resolve());
          readable.once('error', () => resolve());
        }),
      );
    }
    child.on('message', (m: unknown) => this.message(m));
    child.on('error', (type: string, location: string) => {
      this.fatalError = `${type} at ${location}`;
    });
    // 'exit' can come before the pipes are drained: wait for both (bounded),
    // so every line is delivered before onExit, as with child_process 'close'.
    child.once('exit', (code: number) => {
      this.exited = true;
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, DRAIN_TIMEOUT_MS).unref());
      void Promise.race([Promise.all(drained), timeout]).then(() => {
        out.flush();
        err.flush();
        this.finish(this.describeExit(code));
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * utilityProcess.kill() asks the process to end (SIGTERM on POSIX,
   * termination on Windows); any other signal goes to the pid directly.
   */
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.exited || this.exitInfo) return false;
    const pid = this.child.pid;
    this.sentSignal = signal;
    if (signal === 'SIGTERM' || pid === undefined || process.platform === 'win32') return this.child.kill();
    try {
      this.killPid(pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  private describeExit(code: number): ExitInfo {
    const info: ExitInfo =
      this.sentSignal && code !== 0 ? { code: null, signal: this.sentSignal } : { code, signal: null };
    if (this.fatalError) info.error = this.fatalError;
    return info;
  }
}

/** A handle for a process that could not be started at all. */
class FailedHandle implements LaunchedProcess {
  readonly pid = undefined;
  constructor(private readonly error: string) {}
  onLine(): void {}
  onExit(cb: (info: ExitInfo) => void): void {
    queueMicrotask(() => cb({ code: null, signal: null, error: this.error }));
  }
  onMessage(): void {}
  kill(): boolean {
    return false;
  }
}

/**
 * Starts engine processes with Electron's utilityProcess: a Node environment
 * inside the Electron binary, so the packaged app needs no separate Node and
 * the run-as-node fuse can stay off. Built `.js` entries run as they are; a
 * `.ts` entry (development) runs through tsx.
 */
export class UtilityProcessLauncher implements ProcessLauncher {
  private readonly killPid: Killer;

  constructor(private readonly opts: UtilityProcessLauncherOptions = {}) {
    this.killPid = opts.killPid ?? ((pid, signal) => process.kill(pid, signal));
  }

  spawn(name: string, entry: string, env: Record<string, string>): LaunchedProcess {
    const execArgv = [...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), ...(this.opts.execArgv ?? engineV8Flags(name))];
    try {
      const child = utilityProcess.fork(entry, [], {
        env: { ...engineEnv(), ...env },
        execArgv,
        ...(this.opts.cwd ? { cwd: this.opts.cwd } : {}),
        stdio: 'pipe',
        serviceName: `Heavy Rotation ${name}`,
      });
      return new UtilityHandle(child, this.killPid);
    } catch (err) {
      return new FailedHandle(err instanceof Error ? err.message : String(err));
    }
  }
}
