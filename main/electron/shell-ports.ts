import type { EngineReport } from './docker-help';

/** The stack as the tray shows it. */
export type StackSummaryState = 'running' | 'starting' | 'stopped' | 'partial' | 'error' | 'unknown';

export interface StackSummary {
  state: StackSummaryState;
  /** docker | native | external */
  provider: string;
  detail?: string;
}

/**
 * What the desktop shell needs from the control plane it hosts. The
 * composition root (main.ts) adapts the real ControlPlane to this, so the
 * shell can be tested with a fake and survives changes over there.
 */
export interface ShellControlPlane {
  /** the control server, e.g. http://127.0.0.1:7800 — the window's one origin */
  readonly baseUrl: string;
  /** bearer token of the control server and the API */
  readonly token: string;
  stackSummary(): Promise<StackSummary>;
  /** start the stack (with the given provider, else the configured one) */
  stackUp(provider?: 'docker' | 'native'): Promise<void>;
  stackDown(): Promise<void>;
  /** stop the engine processes and the server; with stopStack also the stack */
  close(opts: { stopStack: boolean }): Promise<void>;
}

/** Everything the shell gets from outside; main.ts wires the real ones. */
export interface ShellDeps {
  startControlPlane: () => Promise<ShellControlPlane>;
  /**
   * Looks for the container engine. undefined: the stack can run (Docker
   * answers, or another provider is configured); otherwise what the user
   * should be told.
   */
  checkEngine: () => Promise<EngineReport | undefined>;
  /** user settings read at quit time (they can change while the app runs) */
  settings: () => { stopStackOnQuit: boolean };
  dataDir: string;
  preloadPath: string;
  /** tray icon (16–22 px template image on macOS), window icon */
  trayIconPath: string;
  windowIconPath?: string;
  /** show the developer tools menu entries */
  devTools: boolean;
  log: {
    info: (obj: object, msg?: string) => void;
    warn: (obj: object, msg?: string) => void;
    error: (obj: object, msg?: string) => void;
  };
  /** how often the tray refreshes the stack state (default 5 s) */
  trayRefreshMs?: number;
  /** the longest quit may take before the app exits anyway (default 90 s) */
  quitTimeoutMs?: number;
}
