/**
 * How the supervisor starts one engine process. Node's child_process is one
 * implementation (ChildProcessLauncher); the Electron shell adds one built on
 * utilityProcess. Keep this surface small.
 */
export type OutputStream = 'stdout' | 'stderr';

export interface ExitInfo {
  /** exit code, or null when the process was ended by a signal */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** set when the process could not be started at all */
  error?: string;
}

export interface LaunchedProcess {
  /** undefined when the process failed to start */
  readonly pid: number | undefined;
  /** one call per complete output line (without the newline) */
  onLine(cb: (stream: OutputStream, line: string) => void): void;
  /** called once, after the process is gone and its output is drained */
  onExit(cb: (info: ExitInfo) => void): void;
  /** IPC messages (e.g. `{type:'ready'}`) when the launcher has a channel */
  onMessage(cb: (msg: unknown) => void): void;
  /** returns false when the process was already gone */
  kill(signal?: NodeJS.Signals): boolean;
}

export interface ProcessLauncher {
  /**
   * Start `entry` (a .ts or .js file path) as process `name` with exactly
   * `env` as its environment.
   */
  spawn(name: string, entry: string, env: Record<string, string>): LaunchedProcess;
}

/**
 * The callback plumbing every launcher's handle shares: output lines, IPC
 * messages and one exit report. Subclasses feed `line`/`message` from their
 * process and call `finish` once its output is drained.
 */
export abstract class LaunchedProcessBase implements LaunchedProcess {
  private lineCbs: ((s: OutputStream, l: string) => void)[] = [];
  private exitCbs: ((i: ExitInfo) => void)[] = [];
  private msgCbs: ((m: unknown) => void)[] = [];
  protected exitInfo: ExitInfo | undefined;

  abstract readonly pid: number | undefined;
  abstract kill(signal?: NodeJS.Signals): boolean;

  onLine(cb: (stream: OutputStream, line: string) => void): void {
    this.lineCbs.push(cb);
  }

  onExit(cb: (info: ExitInfo) => void): void {
    if (this.exitInfo) cb(this.exitInfo);
    else this.exitCbs.push(cb);
  }

  onMessage(cb: (msg: unknown) => void): void {
    this.msgCbs.push(cb);
  }

  protected line(stream: OutputStream, line: string): void {
    for (const cb of this.lineCbs) cb(stream, line);
  }

  protected message(msg: unknown): void {
    for (const cb of this.msgCbs) cb(msg);
  }

  /** Report the exit once; later calls are ignored. */
  protected finish(info: ExitInfo): void {
    if (this.exitInfo) return;
    this.exitInfo = info;
    for (const cb of this.exitCbs) cb(info);
    this.exitCbs = [];
  }
}
