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
